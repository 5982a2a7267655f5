from django.urls import include, path
from rest_framework.routers import DefaultRouter

from catalog.views import GenreViewSet, MovieViewSet

router = DefaultRouter(trailing_slash=True)
router.register("movies", MovieViewSet, basename="movie")
router.register("genres", GenreViewSet, basename="genre")

urlpatterns = [path("api/", include(router.urls))]
