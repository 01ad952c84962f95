"""awx-platform: validate the stack config, build the platform, export what operators need."""

import pulumi

from components.backup import backup_outputs
from components.config import load_stack_config
from components.platform import AwxPlatform, AwxPlatformArgs

config = load_stack_config()
platform = AwxPlatform("awx-platform", AwxPlatformArgs(config=config, stack=pulumi.get_stack()))
awx = platform.awx

pulumi.export("namespace", awx.namespace)
pulumi.export("awx_instance", awx.instance_name)
pulumi.export("awx_service", awx.service_name)
pulumi.export("task_deployment", awx.task_deployment_name)
pulumi.export("web_deployment", awx.web_deployment_name)
pulumi.export("admin_user", config.awx.admin_user)
pulumi.export("admin_password_secret", awx.admin_password_secret_name)
pulumi.export("secret_key_secret", awx.secret_key_secret_name)
pulumi.export("postgres_configuration_secret", awx.postgres_configuration_secret_name)
if platform.backup_store is not None and platform.backup is not None:
    pulumi.export("backup_storage_type", config.backup.storage_type)
    pulumi.export("backup", backup_outputs(platform.backup_store, platform.backup))
if awx.admin_password is not None:
    pulumi.export("admin_password", awx.admin_password)
