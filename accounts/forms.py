"""allauth's forms, with their form-wide errors tied to the fields they concern for screen readers."""

from allauth.account.forms import LoginForm as AllauthLoginForm

# The id of the alert that lists a form's form-wide errors (templates/account/_fields.html).
FORM_ERRORS_ID = "form-errors"


class LoginForm(AllauthLoginForm):
    """Wrong credentials are a form-wide error; both the email and the password field point to it."""

    def full_clean(self):
        super().full_clean()
        if not self.non_field_errors():
            return
        for name in ("login", "password"):
            bound = self[name]
            described_by = [f"{bound.auto_id}_helptext"] if bound.help_text else []
            bound.field.widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": " ".join([*described_by, FORM_ERRORS_ID])}
            )
