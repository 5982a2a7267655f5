from rest_framework import viewsets

from .filters import MovieFilter
from .models import Genre, Movie
from .serializers import GenreSerializer, MovieDetailSerializer, MovieListSerializer


class MovieViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = MovieFilter
    ordering_fields = ["title", "release_date", "popularity", "rating", "created_at", "id"]
    ordering = ["-popularity", "-id"]

    def get_queryset(self):
        return (Movie.objects.filter(provisional_by__isnull=True)
                .select_related("stats").prefetch_related("genres"))

    def get_serializer_class(self):
        return MovieDetailSerializer if self.action == "retrieve" else MovieListSerializer


class GenreViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Genre.objects.all()
    serializer_class = GenreSerializer
