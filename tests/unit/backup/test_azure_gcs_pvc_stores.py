"""The Azure, GCS and volume stores under mocks: hardening, lifecycle, exact identity grants."""

from tests.harness import MOCK_GUID, ProgramRun, run_program, stack_config, with_value
from tests.unit.backup.support import BACKUP, DRILL, cron_pod, env, mounts, service_account

ACCOUNT = "azure-native:storage:StorageAccount"
GCS_BUCKET = "gcp:storage/bucket:Bucket"
SUBJECT = "system:serviceaccount:awx:awx-backup"


def test_azure_account_is_locked_down_and_protected(azure: ProgramRun) -> None:
    account = azure.one(ACCOUNT)
    assert account.protect
    assert {
        key: account.plain[key]
        for key in (
            "accountName",
            "kind",
            "sku",
            "accessTier",
            "enableHttpsTrafficOnly",
            "minimumTlsVersion",
            "allowBlobPublicAccess",
            "allowSharedKeyAccess",
            "resourceGroupName",
            "location",
        )
    } == {
        "accountName": "exampleawxbackups",
        "kind": "StorageV2",
        "sku": {"name": "Standard_GRS"},
        "accessTier": "Hot",
        "enableHttpsTrafficOnly": True,
        "minimumTlsVersion": "TLS1_2",
        "allowBlobPublicAccess": False,
        "allowSharedKeyAccess": False,
        "resourceGroupName": "rg-awx-prod",
        "location": "westeurope",
    }


def test_azure_redundancy_follows_config() -> None:
    config = with_value(stack_config("prod-azure"), "backup.azure.redundancy", "ZRS")
    assert run_program("prod-azure", config).one(ACCOUNT).plain["sku"] == {"name": "Standard_ZRS"}


def test_azure_soft_delete_versioning_and_private_container(azure: ProgramRun) -> None:
    service = azure.one("azure-native:storage:BlobServiceProperties").plain
    assert service["accountName"] == "exampleawxbackups"
    assert service["isVersioningEnabled"] is True
    assert service["deleteRetentionPolicy"] == {"enabled": True, "days": 14}
    assert service["containerDeleteRetentionPolicy"] == {"enabled": True, "days": 14}
    container = azure.one("azure-native:storage:BlobContainer")
    assert container.protect
    assert container.plain["containerName"] == "awx-backups"
    assert container.plain["publicAccess"] == "None"


def test_azure_lifecycle_tiers_and_deletes_under_the_prefix(azure: ProgramRun) -> None:
    policy = azure.one("azure-native:storage:ManagementPolicy").plain
    assert policy["managementPolicyName"] == "default"
    (rule,) = policy["policy"]["rules"]
    assert rule["enabled"] is True
    assert rule["type"] == "Lifecycle"
    assert rule["definition"] == {
        "filters": {"blobTypes": ["blockBlob"], "prefixMatch": ["awx-backups/awx-backups/"]},
        "actions": {
            "baseBlob": {
                "tierToCool": {"daysAfterModificationGreaterThan": 30},
                "tierToCold": {"daysAfterModificationGreaterThan": 90},
                "delete": {"daysAfterModificationGreaterThan": 395},
            },
            "version": {"delete": {"daysAfterCreationGreaterThan": 14}},
        },
    }


def test_azure_workload_identity_reaches_the_container_only(azure: ProgramRun) -> None:
    identity = azure.one("azure-native:managedidentity:UserAssignedIdentity").plain
    assert identity["resourceName"] == "exampleawxbackups-backup"
    credential = azure.one("azure-native:managedidentity:FederatedIdentityCredential").plain
    assert credential["resourceName"] == "exampleawxbackups-backup"
    assert credential["subject"] == SUBJECT
    assert credential["audiences"] == ["api://AzureADTokenExchange"]
    assert credential["issuer"].startswith("https://westeurope.oic.prod-aks.azure.com/")
    (grant,) = azure.of_type("azure-native:authorization:RoleAssignment")
    assert grant.plain["scope"] == "awx-platform-backup-azure-container-id"
    assert grant.plain["roleDefinitionId"] == (
        "/subscriptions/00000000-1111-2222-3333-444444444444/providers/"
        "Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"
    )
    assert grant.plain["principalType"] == "ServicePrincipal"
    assert grant.plain["principalId"] == MOCK_GUID.replace("0", "1")
    assert service_account(azure)["annotations"] == {"azure.workload.identity/client-id": MOCK_GUID}
    for name in (BACKUP, DRILL):
        labels = azure.one("kubernetes:batch/v1:CronJob", name).plain["spec"]["jobTemplate"][
            "spec"
        ]["template"]["metadata"]["labels"]
        assert labels["azure.workload.identity/use"] == "true"
    variables = env(cron_pod(azure))
    assert (
        variables["BACKUP_AZURE_ACCOUNT_URL"] == "https://exampleawxbackups.blob.core.windows.net"
    )
    assert variables["BACKUP_AZURE_CONTAINER"] == "awx-backups"
    assert variables["BACKUP_STORAGE_TYPE"] == "azure"
    assert "AZURE_STORAGE_CONNECTION_STRING" not in variables


def test_gcs_bucket_is_hardened_dual_region_with_cmek(gcs: ProgramRun) -> None:
    bucket = gcs.one(GCS_BUCKET)
    assert bucket.protect
    props = bucket.plain
    assert props["name"] == "example-awx-prod-backups"
    assert props["project"] == "example-awx-prod"
    assert props["uniformBucketLevelAccess"] is True
    assert props["publicAccessPrevention"] == "enforced"
    assert props["versioning"] == {"enabled": True}
    assert props["forceDestroy"] is False
    assert props["location"] == "EU"
    assert props["customPlacementConfig"] == {"dataLocations": ["EUROPE-WEST1", "EUROPE-WEST4"]}
    assert props["rpo"] == "ASYNC_TURBO"
    assert props["encryption"] == {
        "defaultKmsKeyName": (
            "projects/example-awx-prod/locations/eu/keyRings/awx/cryptoKeys/awx-backups"
        )
    }


def test_gcs_lifecycle_follows_config_and_keeps_manifests_standard(gcs: ProgramRun) -> None:
    prefix = {"matchesPrefixes": ["awx-backups/"]}
    assert gcs.one(GCS_BUCKET).plain["lifecycleRules"] == [
        {"action": {"type": "Delete"}, "condition": {"age": 395, **prefix}},
        {
            "action": {"type": "Delete"},
            "condition": {"daysSinceNoncurrentTime": 7, "withState": "ARCHIVED", **prefix},
        },
        {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 1}},
        {
            "action": {"type": "SetStorageClass", "storageClass": "COLDLINE"},
            "condition": {
                "age": 30,
                "matchesStorageClasses": ["STANDARD"],
                # The runtime's encrypted objects; manifest.json matches neither.
                "matchesSuffixes": [".age", ".aes256"],
                **prefix,
            },
        },
    ]


def test_gcs_single_region_without_cmek() -> None:
    config = stack_config("prod-gcp")
    config["awx-platform:backup"]["gcs"] = {
        "bucket": "example-awx-backups",
        "project_id": "example-awx-prod",
        "location": "europe-west1",
        "storage_class": "STANDARD",
    }
    props = run_program("prod-gcp", config).one(GCS_BUCKET).plain
    assert props["location"] == "europe-west1"
    for absent in ("customPlacementConfig", "rpo", "encryption"):
        assert absent not in props
    assert "SetStorageClass" not in [rule["action"]["type"] for rule in props["lifecycleRules"]]


def test_gcs_workload_identity_has_object_admin_on_this_bucket_only(gcs: ProgramRun) -> None:
    email = "awx-backup@example-awx-prod.iam.gserviceaccount.com"
    account = gcs.one("gcp:serviceaccount/account:Account").plain
    assert account["accountId"] == "awx-backup"
    binding = gcs.one("gcp:serviceaccount/iAMMember:IAMMember").plain
    assert binding == {
        "serviceAccountId": f"projects/example-awx-prod/serviceAccounts/{email}",
        "role": "roles/iam.workloadIdentityUser",
        "member": "serviceAccount:example-awx-prod.svc.id.goog[awx/awx-backup]",
    }
    grants = [r.plain for r in gcs.resources if "IAM" in r.type or "iam" in r.type.split(":")[1]]
    assert [g["role"] for g in grants] == [
        "roles/iam.workloadIdentityUser",
        "roles/storage.objectAdmin",
    ]
    assert gcs.one("gcp:storage/bucketIAMMember:BucketIAMMember").plain == {
        "bucket": "example-awx-prod-backups",
        "role": "roles/storage.objectAdmin",
        "member": f"serviceAccount:{email}",
    }
    assert service_account(gcs)["annotations"] == {"iam.gke.io/gcp-service-account": email}
    variables = env(cron_pod(gcs))
    assert variables["BACKUP_GCS_BUCKET"] == "example-awx-prod-backups"
    assert variables["BACKUP_GCS_PROJECT"] == "example-awx-prod"
    assert gcs.outputs["backup"]["service_account"] == email


def test_pvc_store_mounts_one_claim_in_every_job() -> None:
    run = run_program("local")
    claim = run.one("kubernetes:core/v1:PersistentVolumeClaim")
    assert not claim.protect  # local: awx.protect false, so `destroy` cleans up
    assert claim.plain["metadata"]["name"] == "awx-backups"
    assert claim.plain["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "10Gi"}},
    }
    for name in (BACKUP, DRILL):
        pod = cron_pod(run, name)
        assert mounts(pod)["/backups"] == "awx-backups"
        assert env(pod)["BACKUP_PVC_PATH"] == "/backups"
        assert env(pod)["BACKUP_STORAGE_TYPE"] == "pvc"
    assert run.outputs["backup"]["claim"] == "awx-backups"


def test_pvc_is_protected_with_awx_protect_and_takes_its_class() -> None:
    config = with_value(stack_config("local"), "awx.protect", True)
    config = with_value(config, "backup.pvc.storage_class", "fast-ssd")
    claim = run_program("local", config).one("kubernetes:core/v1:PersistentVolumeClaim")
    assert claim.protect
    assert claim.plain["spec"]["storageClassName"] == "fast-ssd"
