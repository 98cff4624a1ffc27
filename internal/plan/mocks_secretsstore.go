package plan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// secretsGCPProjectNumber is the project number the getProject mock answers.
const secretsGCPProjectNumber = "123456789012"

// secretsAssumedRole matches an STS assumed-role session ARN.
var secretsAssumedRole = regexp.MustCompile(`^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/.+$`)

// The secrets store's data sources and computed attributes: the deploy
// role behind a session, GCP service agents, and the URIs of Azure Key
// Vault keys.
func init() {
	invokes["aws:iam/getSessionContext:getSessionContext"] = func(args resource.PropertyMap, _ where) map[string]any {
		arn := str(args, "arn")
		issuer := arn
		if m := secretsAssumedRole.FindStringSubmatch(arn); m != nil {
			issuer = fmt.Sprintf("arn:%s:iam::%s:role/%s", m[1], m[2], m[3])
		}
		return map[string]any{"arn": arn, "issuerArn": issuer, "id": arn}
	}
	attributes["gcp:projects/serviceIdentity:ServiceIdentity"] = func(_, _ string, in resource.PropertyMap, _ where, set setter) {
		// Google names service agents after the project number (the number
		// the getProject mock answers), e.g. service-N@gcp-sa-secretmanager.
		service := strings.TrimSuffix(str(in, "service"), ".googleapis.com")
		if service == "sqladmin" {
			service = "cloud-sql" // Cloud SQL's agent is named after the product
		}
		email := fmt.Sprintf("service-%s@gcp-sa-%s.iam.gserviceaccount.com", secretsGCPProjectNumber, service)
		set("email", email)
		set("member", "serviceAccount:"+email)
	}
	invokes["gcp:storage/getProjectServiceAccount:getProjectServiceAccount"] = func(_ resource.PropertyMap, w where) map[string]any {
		email := fmt.Sprintf("service-%s@gs-project-accounts.iam.gserviceaccount.com", secretsGCPProjectNumber)
		return map[string]any{"emailAddress": email, "member": "serviceAccount:" + email, "project": w.project, "id": email}
	}
	attributes["azure-native:keyvault:Key"] = func(_, name string, in resource.PropertyMap, _ where, set setter) {
		uri := fmt.Sprintf("https://%s.vault.azure.net/keys/%s", str(in, "vaultName"), physicalName(name, in, "keyName"))
		set("keyUri", uri)
		set("keyUriWithVersion", uri+"/"+shortHash(uri)[:32])
	}
}
