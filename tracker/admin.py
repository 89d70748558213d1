"""The catalogue's own admin: the regions. The case admin lives in moderation/case_admin.py,
beside the services every change of a case goes through."""

from django.contrib import admin

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ru", "name_uk", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_ru", "name_uk"]
