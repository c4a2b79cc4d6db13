from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from messaging import attachments
from messaging.models import Template, Topic


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), min_length=3, max_length=50_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    seen_message_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    force = forms.BooleanField(required=False, label=_("Send anyway"))
    attach_packing_slip = forms.BooleanField(required=False, label=_("Attach the packing slip (PDF)"))
    file = forms.FileField(
        required=False,
        allow_empty_file=True,  # refused by attachments.check_uploads, with the API's words
        label=_("Attach a file (PDF, JPEG, PNG or GIF)"),
    )

    def uploads(self) -> list[attachments.Upload]:
        """The uploaded file as the action takes it (checked there, as the API's); read no further than the
        limit, so a larger file is refused without being read whole."""
        file = self.cleaned_data.get("file")
        if not file:
            return []
        content = file.read(attachments.MAX_TOTAL_BYTES + 1)
        return [attachments.Upload(name=file.name, content_type=file.content_type or "", content=content)]


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        label=_("Assignee"),
        empty_label=_("Nobody"),
    )


class DelayNoticeForm(forms.Form):
    """The proposed text as the operator edited it, or one of the delay templates (which wins when chosen)."""

    template = forms.ModelChoiceField(
        queryset=Template.objects.filter(topic=Topic.DELAY), required=False, label=_("Template")
    )
    body = forms.CharField(
        label=_("Delay notice to the buyer"),
        min_length=3,
        max_length=2000,  # Amazon's Messaging API: at most 2,000 characters
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("template") and not data.get("body"):
            raise forms.ValidationError(_("A delay notice has between 3 and 2,000 characters."))
        return data

    def text(self) -> str:
        template = self.cleaned_data.get("template")
        return template.body if template else self.cleaned_data["body"]
