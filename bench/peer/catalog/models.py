"""Marquee's tables as Django sees them: unmanaged models (Marquee's
migrations own the schema)."""
from django.db import models


class Genre(models.Model):
    name = models.TextField()
    slug = models.TextField(unique=True)

    class Meta:
        managed = False
        db_table = "genres"
        ordering = ["name"]


class Movie(models.Model):
    tmdb_id = models.IntegerField(null=True)
    imdb_id = models.TextField(null=True)
    title = models.TextField()
    original_title = models.TextField()
    overview = models.TextField()
    release_date = models.DateField(null=True)
    year = models.SmallIntegerField(null=True)
    runtime = models.SmallIntegerField(null=True)
    original_language = models.TextField(null=True)
    status = models.TextField()
    popularity = models.FloatField()
    rating = models.FloatField(null=True)
    poster_path = models.TextField(null=True)
    backdrop_path = models.TextField(null=True)
    provisional_by = models.BigIntegerField(null=True)
    created_at = models.DateTimeField()
    genres = models.ManyToManyField(Genre, through="MovieGenre", related_name="movies")

    class Meta:
        managed = False
        db_table = "movies"


class MovieGenre(models.Model):
    # (movie_id, genre_id) is the table's key; Django wants one column
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, primary_key=True)
    genre = models.ForeignKey(Genre, on_delete=models.CASCADE)

    class Meta:
        managed = False
        db_table = "movie_genres"
        unique_together = [("movie", "genre")]


class MovieStats(models.Model):
    movie = models.OneToOneField(Movie, on_delete=models.CASCADE, primary_key=True,
                                 related_name="stats")
    ratings_count = models.IntegerField()
    favorites_count = models.IntegerField()
    watchlist_count = models.IntegerField()
    reviews_count = models.IntegerField()

    class Meta:
        managed = False
        db_table = "movie_stats"
