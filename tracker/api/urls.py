from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("cases/", views.CaseList.as_view(), name="case_list"),
    path("cases/<int:pk>/", views.CaseDetail.as_view(), name="case_detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
