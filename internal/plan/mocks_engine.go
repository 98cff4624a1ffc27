package plan

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// MockState is the id and state the offline plan's mocks give a custom
// resource of type typeToken and logical name, served by an explicit
// provider whose inputs are providerInputs (nil for a default provider).
// The stand-in providers of the engine tests (test/engine) answer the real
// Pulumi engine with it, so a real deployment and the offline plan derive
// the same ids, ARNs, self links and Azure resource ids from the same
// inputs.
func MockState(typeToken, name string, inputs, providerInputs resource.PropertyMap) (string, resource.PropertyMap) {
	return mockState(typeToken, name, inputs, providerOf(providerInputs))
}

// MockInvoke is the offline plan's answer to the data source token, called
// through a provider whose inputs are providerInputs (nil for a default
// provider). It fails for a data source the plan has no mock for.
func MockInvoke(token string, args, providerInputs resource.PropertyMap) (resource.PropertyMap, error) {
	return mockInvoke(token, args, providerOf(providerInputs))
}

func providerOf(inputs resource.PropertyMap) *recorded {
	if inputs == nil {
		return nil
	}
	return &recorded{Resource: Resource{Inputs: toPlain(inputs)}}
}

// Found by the engine e2e (test/engine): a recovery stack reads its
// source's database.sourceId through a real stack reference, and on AWS
// that is the id of the source's InstanceAutomatedBackupsReplication, which
// the provider gives as the ARN of the automated backups replicated into
// the DR region (arn:aws:rds:REGION:ACCOUNT:auto-backup:ab-...), the value
// a geo-restore takes. The name-derived id the mocks gave before was
// refused by the recovery stack's own validation.
func init() {
	ids["aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"] = func(_, name string, in resource.PropertyMap, w where) string {
		return fmt.Sprintf("arn:aws:rds:%s:%s:auto-backup:ab-%s", w.region, MockAWSAccount, shortHash("auto-backup" + str(in, "sourceDbInstanceArn") + w.region)[:40])
	}
}
