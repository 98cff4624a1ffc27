package backupbucket

import (
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/core/azuremetric"
)

// What runs the offsite copy from GCS, and watches its key, on Azure alone.
//
// A Data Factory schedule trigger is created in the Stopped state and only
// runs after POST .../triggers/{name}/start, an action rather than a
// property, so a declared trigger needed a hand step after every deploy
// (https://learn.microsoft.com/azure/data-factory/concepts-pipeline-execution-triggers,
// https://learn.microsoft.com/rest/api/datafactory/triggers/start). A Logic
// App (Consumption) is enabled when it is created: its Recurrence trigger
// fires daily and an HTTP action, signed in as a user-assigned identity
// (https://learn.microsoft.com/azure/logic-apps/authenticate-with-managed-identity),
// calls the pipeline's createRun
// (https://learn.microsoft.com/rest/api/datafactory/pipelines/create-run).
// A second Logic App checks the HMAC secret's expiry every day (below).
//
// The identity holds one custom role, assignable only in the factory's
// resource group: createRun on pipelines and reading a Key Vault secret's
// ARM properties (its attributes, never its value), assigned on the
// factory and on the one secret. Data Factory Contributor would also let it
// rewrite the linked services, so point the copy somewhere else.

// LogicWorkflowType is the Logic App's type token. The proxy does not serve
// the logic SDK module at v2.92.0, so it is registered by token with the
// ARM shape, as components/dbbackup registers its export.
const LogicWorkflowType = "azure-native:logic:Workflow"

// API versions the Logic Apps call.
const (
	dataFactoryAPIVersion = "2018-06-01"
	// https://learn.microsoft.com/rest/api/keyvault/keyvault/secrets/get
	keyVaultARMAPIVersion = "2023-07-01"
)

// The HMAC key's age limit: its Key Vault secret expires hmacMaxAgeDays
// after GCS made the key, and the key-age check pages once fewer than
// hmacWarnDays remain (Key Vault's own SecretNearExpiry window). Expiry
// does not stop the copy (Key Vault still returns an expired secret's
// value: https://learn.microsoft.com/azure/key-vault/secrets/about-secrets#secret-attributes);
// it is the date by which keyGeneration must be raised.
const (
	hmacMaxAgeDays = 90
	hmacWarnDays   = 30
)

// offsiteSchedulerActions are all the scheduler identity may do.
// https://learn.microsoft.com/azure/role-based-access-control/permissions/analytics#microsoftdatafactory
// https://learn.microsoft.com/azure/role-based-access-control/permissions/security#microsoftkeyvault
var offsiteSchedulerActions = []string{
	"Microsoft.DataFactory/factories/pipelines/createrun/action",
	"Microsoft.KeyVault/vaults/secrets/read",
}

// logicWorkflow is the state of a Logic App registered by token.
type logicWorkflow struct{ pulumi.CustomResourceState }

// hmacExpiry is when the secret of an HMAC key made at created (RFC 3339,
// as GCS reports timeCreated) expires, in seconds since 1970; nil while
// the time is not known.
func hmacExpiry(created string) *int {
	t, err := time.Parse(time.RFC3339, created)
	if err != nil {
		return nil
	}
	exp := int(t.Add(hmacMaxAgeDays * 24 * time.Hour).Unix())
	return &exp
}

// offsiteScheduler makes the identity, its grants, the Logic App that
// starts the copy daily and the one that checks the key's expiry, and
// (with alerts) an alarm on each one's failed runs.
func (b *builder) offsiteScheduler(factory *adfResource, secret *keyvault.Secret) error {
	site := b.dep.Primary
	identity, err := b.userIdentity(b.name+"-scheduler", site, "backup", b.purpose, "offsite-scheduler")
	if err != nil {
		return err
	}
	grants, err := b.offsiteSchedulerGrants(identity, factory.ID().ToStringOutput(), secret.ID().ToStringOutput())
	if err != nil {
		return err
	}
	auth := identity.ID().ApplyT(func(id pulumi.ID) map[string]any {
		return map[string]any{"type": "ManagedServiceIdentity", "identity": string(id), "audience": "https://management.azure.com/"}
	}).(pulumi.MapOutput)
	for _, flow := range []struct {
		suffix, alarm string
		definition    pulumi.MapOutput
	}{
		{"start", alarmOffsiteStartFailed, b.offsiteStartDefinition(factory.ID(), auth)},
		{"key-age", alarmOffsiteKeyAge, b.offsiteKeyAgeDefinition(secret.ID(), auth)},
	} {
		wf := &logicWorkflow{}
		if err := b.ctx.RegisterResource(LogicWorkflowType, b.name+"-"+flow.suffix, pulumi.Map{
			"workflowName":      pulumi.String(b.dep.NameWithin(43, "bk", b.purpose, "offsite", flow.suffix)),
			"resourceGroupName": site.AzureResourceGroup,
			"location":          pulumi.String(site.Region),
			"state":             pulumi.String("Enabled"),
			"identity": pulumi.Map{
				"type":                   pulumi.String("UserAssigned"),
				"userAssignedIdentities": identity.ID().ApplyT(func(id pulumi.ID) map[string]any { return map[string]any{string(id): map[string]any{}} }).(pulumi.MapOutput),
			},
			"definition": flow.definition,
			"tags":       b.dep.Tags.For(core.Azure),
		}, wf, b.opts(site, pulumi.DependsOn(grants))...); err != nil {
			return err
		}
		if b.alerts != nil {
			if err := b.logicRunsFailedAlarm(b.name+"-"+strings.TrimPrefix(flow.alarm, "offsite-"), flow.alarm, wf); err != nil {
				return err
			}
		}
	}
	return nil
}

// offsiteSchedulerGrants is the scheduler's custom role and its
// assignments on the factory and on the HMAC secret.
func (b *builder) offsiteSchedulerGrants(identity *managedidentity.UserAssignedIdentity, factory, secret pulumi.StringOutput) ([]pulumi.Resource, error) {
	site := b.dep.Primary
	group := factory.ApplyT(func(id string) string { return subscriptionOf(id) + "/resourceGroups/" + resourceGroupOf(id) }).(pulumi.StringOutput)
	role, err := authorization.NewRoleDefinition(b.ctx, b.name+"-scheduler", &authorization.RoleDefinitionArgs{
		RoleDefinitionId: pulumi.String(guid(b.dep.Name("backup", b.purpose, "offsite-scheduler", "role"))),
		RoleName:         pulumi.String(b.dep.Name("backup", b.purpose, "offsite-scheduler")),
		Description:      pulumi.String("Start the offsite copy pipeline of " + b.purpose + " backups and read its HMAC secret's expiry; nothing else"),
		RoleType:         pulumi.String("CustomRole"),
		Scope:            group,
		AssignableScopes: pulumi.StringArray{group},
		Permissions:      authorization.PermissionArray{authorization.PermissionArgs{Actions: pulumi.ToStringArray(offsiteSchedulerActions)}},
	}, b.opts(site)...)
	if err != nil {
		return nil, err
	}
	id := role.ID().ToStringOutput()
	return b.grantRoles(site, b.name+"-scheduler", "offsite-scheduler", identity.PrincipalId, []roleGrant{
		{"starts-copy", id, factory, "starts the daily offsite copy of " + b.purpose + " backups"},
		{"reads-expiry", id, secret, "checks the expiry of the offsite HMAC secret of " + b.purpose + " backups"},
	})
}

// logicSchema is the Logic Apps workflow definition schema.
// https://learn.microsoft.com/azure/logic-apps/logic-apps-workflow-actions-triggers
const logicSchema = "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#"

// daily is a Recurrence trigger at hour:00 UTC every day.
func daily(hour int) map[string]any {
	return map[string]any{"Daily": map[string]any{"type": "Recurrence", "recurrence": map[string]any{
		"frequency": "Day", "interval": 1, "timeZone": "UTC",
		"schedule": map[string]any{"hours": []int{hour}, "minutes": []int{0}},
	}}}
}

// offsiteStartDefinition starts the copy pipeline daily at
// offsiteStartHourUTC, over the day before the hour it fired in (the same
// window the schedule trigger gave: consecutive runs neither miss nor
// repeat an object). A failed call is retried; the run's own outcome is
// the factory's PipelineFailedRuns alarm.
func (b *builder) offsiteStartDefinition(factory pulumi.IDOutput, auth pulumi.MapOutput) pulumi.MapOutput {
	pipeline := "offsite-" + b.purpose
	return pulumi.All(factory, auth).ApplyT(func(v []any) map[string]any {
		return map[string]any{
			"$schema": logicSchema, "contentVersion": "1.0.0.0",
			"triggers": daily(offsiteStartHourUTC),
			"actions": map[string]any{"CreateRun": map[string]any{"type": "Http", "inputs": map[string]any{
				"method": "POST",
				"uri": fmt.Sprintf("https://management.azure.com%s/pipelines/%s/createRun?api-version=%s",
					string(v[0].(pulumi.ID)), pipeline, dataFactoryAPIVersion),
				"body":           map[string]any{"windowEnd": "@{startOfHour(utcNow(), 'yyyy-MM-ddTHH:mm:ssZ')}"},
				"authentication": v[1],
				"retryPolicy":    map[string]any{"type": "fixed", "count": 3, "interval": "PT10M"},
			}}},
		}
	}).(pulumi.MapOutput)
}

// offsiteKeyAgeDefinition reads the HMAC secret's ARM properties daily and
// fails the run (Terminate, Failed) when the secret has no expiry or
// expires within hmacWarnDays: the runs-failed alarm pages until someone
// raises keyGeneration.
func (b *builder) offsiteKeyAgeDefinition(secret pulumi.IDOutput, auth pulumi.MapOutput) pulumi.MapOutput {
	exp := "@coalesce(body('Secret')?['properties']?['attributes']?['exp'], 0)"
	// Seconds since 1970 of now + hmacWarnDays (ticks are 100 ns).
	limit := fmt.Sprintf("@div(sub(ticks(addDays(utcNow(), %d)), ticks('1970-01-01T00:00:00Z')), 10000000)", hmacWarnDays)
	return pulumi.All(secret, auth).ApplyT(func(v []any) map[string]any {
		return map[string]any{
			"$schema": logicSchema, "contentVersion": "1.0.0.0",
			"triggers": daily(offsiteStartHourUTC),
			"actions": map[string]any{
				"Secret": map[string]any{"type": "Http", "inputs": map[string]any{
					"method":         "GET",
					"uri":            fmt.Sprintf("https://management.azure.com%s?api-version=%s", string(v[0].(pulumi.ID)), keyVaultARMAPIVersion),
					"authentication": v[1],
					"retryPolicy":    map[string]any{"type": "exponential", "count": 4, "interval": "PT5M"},
				}},
				"Expiring": map[string]any{"type": "If", "runAfter": map[string]any{"Secret": []string{"Succeeded"}},
					"expression": map[string]any{"and": []any{map[string]any{"less": []any{exp, limit}}}},
					"actions": map[string]any{"Rotate": map[string]any{"type": "Terminate", "inputs": map[string]any{
						"runStatus": "Failed",
						"runError": map[string]any{"code": "OffsiteHMACKeyAge", "message": fmt.Sprintf(
							"the offsite HMAC key of %s backups expires within %d days (or has no expiry): raise wedsync:backup.offsite.keyGeneration and deploy",
							b.purpose, hmacWarnDays)},
					}}},
				},
			},
		}
	}).(pulumi.MapOutput)
}

// logicRunsFailedAlarm raises key when a run of flow fails.
func (b *builder) logicRunsFailedAlarm(name, key string, flow *logicWorkflow) error {
	a := azuremetric.LogicRunsFailed(b.dep.Name("backup", b.purpose, key), b.alarmDescription(key, b.alerts.Limits()), flow.ID())
	return azuremetric.New(b.ctx, name, b.dep, b.alerts, a, b.opts(b.dep.Primary)...)
}
