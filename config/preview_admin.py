"""A "Preview as a learner" button on a change page: the admin's ``<pk>/preview/`` view shows
what the API answers a learner for the object, drafts included, and writes nothing."""

import json

from django.urls import reverse

from .jsonbytes import dumps


class LearnerPreviewMixin:
    change_form_template = "admin/preview_change_form.html"

    def preview_url(self, object_id) -> str:
        opts = self.model._meta
        return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_preview", args=[object_id])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "preview_url": self.preview_url(object_id)}
        return super().change_view(request, object_id, form_url, extra_context)


def pretty_api_json(data) -> str:
    """The API answer as the client receives it, indented for reading."""
    return json.dumps(json.loads(dumps(data)), indent=2, ensure_ascii=False)
