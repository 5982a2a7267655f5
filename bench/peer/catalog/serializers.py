from rest_framework import serializers

from .models import Genre, Movie, MovieStats


class GenreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Genre
        fields = ["id", "name", "slug"]


class StatisticsSerializer(serializers.ModelSerializer):
    class Meta:
        model = MovieStats
        fields = ["ratings_count", "favorites_count", "watchlist_count", "reviews_count"]


class MovieListSerializer(serializers.ModelSerializer):
    genres = GenreSerializer(many=True, read_only=True)
    rating = serializers.DecimalField(max_digits=3, decimal_places=2, coerce_to_string=False,
                                      read_only=True)
    ratings_count = serializers.IntegerField(source="stats.ratings_count", read_only=True)

    class Meta:
        model = Movie
        fields = ["id", "tmdb_id", "imdb_id", "title", "original_title", "overview",
                  "release_date", "year", "runtime", "original_language", "status",
                  "popularity", "rating", "ratings_count", "poster_path", "backdrop_path",
                  "genres"]


class MovieDetailSerializer(MovieListSerializer):
    statistics = StatisticsSerializer(source="stats", read_only=True)

    class Meta(MovieListSerializer.Meta):
        fields = MovieListSerializer.Meta.fields + ["statistics", "created_at"]
