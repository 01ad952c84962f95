"""The `secrets` section: values that only ever arrive as Pulumi secrets."""

from pydantic import SecretStr, ValidationInfo, field_validator

from components.settings.base import Section

MIN_LENGTHS = {"admin_password": 12, "secret_key": 32}


class SecretSettings(Section):
    admin_password: SecretStr | None = None
    """AWX admin password (at least 12 characters); generated when empty. Set with
    `pulumi config set --secret --path secrets.admin_password`."""
    secret_key: SecretStr | None = None
    """AWX's credential encryption key (at least 32 characters); generated when empty. Set
    it to carry a key over from an existing installation or a restored backup."""

    @field_validator("admin_password", "secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        minimum = MIN_LENGTHS[str(info.field_name)]
        if value is not None and len(value.get_secret_value()) < minimum:
            raise ValueError(f"must be at least {minimum} characters long")
        return value
