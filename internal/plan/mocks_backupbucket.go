package plan

import (
	"fmt"
	"math/big"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The backup bucket component reads the project's Storage Transfer service
// account (its subject id is what the AWS role for the offsite copy trusts)
// and the principal of the storage account's key identity (shared with the
// database component, whose entry wins if both are present).
func init() {
	invokes["gcp:storage/getTransferProjectServiceAccount:getTransferProjectServiceAccount"] = func(_ resource.PropertyMap, w where) map[string]any {
		number := projectNumber(w.project)
		email := fmt.Sprintf("project-%s@storage-transfer-service.iam.gserviceaccount.com", number)
		return map[string]any{
			"email":     email,
			"member":    "serviceAccount:" + email,
			"project":   w.project,
			"subjectId": subjectID("storage-transfer" + w.project),
			"id":        email,
		}
	}
	if _, ok := attributes["azure-native:managedidentity:UserAssignedIdentity"]; !ok {
		attributes["azure-native:managedidentity:UserAssignedIdentity"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
			set("principalId", uuidFrom("principal"+id))
			set("clientId", uuidFrom("client"+id))
			set("tenantId", MockAzureTenant)
		}
	}
}

// projectNumber is a stable 12-digit project number for a project id.
func projectNumber(project string) string {
	n := new(big.Int)
	n.SetString(shortHash(project)[:12], 16)
	return fmt.Sprintf("%012d", n.Mod(n, big.NewInt(1_000_000_000_000)))
}

// subjectID is a stable 21-digit Google account subject id, the form Google
// gives service accounts' unique ids.
func subjectID(seed string) string {
	n := new(big.Int)
	n.SetString(shortHash(seed)[:20], 16)
	return fmt.Sprintf("1%020d", n.Mod(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil)))
}
