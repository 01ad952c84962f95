"""The `secrets` section: values that only ever arrive as Pulumi secrets."""

from pydantic import SecretStr, field_validator

from components.settings.base import Section

MIN_PASSWORD_LENGTH = 12


class SecretSettings(Section):
    admin_password: SecretStr | None = None
    """AWX admin password (at least 12 characters); generated when empty. Set with
    `pulumi config set --secret --path secrets.admin_password`."""

    @field_validator("admin_password")
    @classmethod
    def _long_enough(cls, password: SecretStr | None) -> SecretStr | None:
        if password is not None and len(password.get_secret_value()) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"must be at least {MIN_PASSWORD_LENGTH} characters long")
        return password
