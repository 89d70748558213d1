from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/reject-spam/", views.bulk_reject_spam, name="bulk_reject_spam"),
    path("<int:pk>/", views.review, name="review"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/sources/<int:source_pk>/verify/", views.verify_source, name="verify_source"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("<int:pk>/ask/", views.ask, name="ask"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/undo-rejection/", views.undo_rejection, name="undo_rejection"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/evidence.zip", views.evidence_bundle, name="evidence_bundle"),
    path("sources/dead/", views.dead_sources, name="dead_sources"),
    path("snapshots/<int:pk>/", views.snapshot, name="snapshot"),
    path("snapshots/<int:pk>/raw/", views.snapshot_raw, name="snapshot_raw"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/retract/", views.case_retract, name="case_retract"),
]
