import django_filters
from django.db.models import Q

from .models import Movie


class MovieFilter(django_filters.FilterSet):
    title = django_filters.CharFilter(field_name="title", lookup_expr="icontains")
    year = django_filters.CharFilter(method="filter_year")
    genre = django_filters.CharFilter(method="filter_genre")

    class Meta:
        model = Movie
        fields = ["title", "year", "genre", "original_language"]

    def filter_year(self, queryset, name, value):
        first, _, last = value.partition("-")
        if last:
            return queryset.filter(year__gte=int(first), year__lte=int(last))
        return queryset.filter(year=int(first))

    def filter_genre(self, queryset, name, value):
        if value.isdigit():
            return queryset.filter(genres__id=int(value))
        return queryset.filter(genres__slug=value)
