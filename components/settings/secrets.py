"""The `secrets` section: values that only ever arrive as Pulumi secrets."""

from pydantic import SecretStr, ValidationInfo, field_validator

from components.settings.base import Section

MIN_LENGTHS = {
    "admin_password": 12,
    "secret_key": 32,
    "grafana_admin_password": 12,
    "pagerduty_routing_key": 20,
    "slack_webhook_url": 20,
    "awx_metrics_token": 16,
}


class SecretSettings(Section):
    admin_password: SecretStr | None = None
    """AWX admin password (at least 12 characters); generated when empty. Set with
    `pulumi config set --secret --path secrets.admin_password`."""
    secret_key: SecretStr | None = None
    """AWX's credential encryption key (at least 32 characters); generated when empty. Set
    it to carry a key over from an existing installation or a restored backup."""

    grafana_admin_password: SecretStr | None = None
    """Grafana admin password (at least 12 characters); generated when empty and the stack
    installs kube-prometheus-stack."""
    pagerduty_routing_key: SecretStr | None = None
    """PagerDuty Events API v2 routing key that critical alerts go to."""
    slack_webhook_url: SecretStr | None = None
    """Slack incoming-webhook URL that warnings go to (https://hooks.slack.com/...)."""
    awx_metrics_token: SecretStr | None = None
    """AWX OAuth2 token (read-only user) Prometheus scrapes /api/v2/metrics/ with; also lets
    the exporter read task capacity."""

    @field_validator(*MIN_LENGTHS)
    @classmethod
    def _long_enough(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        minimum = MIN_LENGTHS[str(info.field_name)]
        if value is not None and len(value.get_secret_value()) < minimum:
            raise ValueError(f"must be at least {minimum} characters long")
        return value

    @field_validator("slack_webhook_url")
    @classmethod
    def _https_webhook(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("https://"):
            raise ValueError("must be an https:// incoming-webhook URL")
        return value
