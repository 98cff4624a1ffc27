package plan

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The app configuration's computed attributes (components/appconfig):
// AppConfig's short ids (the provider's ids of environments and profiles
// are "ID:APPLICATION"), the first hosted version's number, and the App
// Configuration store's ARM namespace, name and endpoint.
func init() {
	appconfigID := func(kind, name string, w where) string { return shortHash("appconfig" + kind + name + w.region)[:7] }
	ids["aws:appconfig/application:Application"] = func(_, name string, _ resource.PropertyMap, w where) string {
		return appconfigID("application", name, w)
	}
	attributes["aws:appconfig/environment:Environment"] = func(_, name string, in resource.PropertyMap, w where, set setter) {
		set("environmentId", appconfigID("environment", name, w))
	}
	ids["aws:appconfig/environment:Environment"] = func(_, name string, in resource.PropertyMap, w where) string {
		return appconfigID("environment", name, w) + ":" + str(in, "applicationId")
	}
	attributes["aws:appconfig/configurationProfile:ConfigurationProfile"] = func(_, name string, _ resource.PropertyMap, w where, set setter) {
		set("configurationProfileId", appconfigID("profile", name, w))
	}
	ids["aws:appconfig/configurationProfile:ConfigurationProfile"] = func(_, name string, in resource.PropertyMap, w where) string {
		return appconfigID("profile", name, w) + ":" + str(in, "applicationId")
	}
	attributes["aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion"] = func(_, _ string, _ resource.PropertyMap, _ where, set setter) {
		set("versionNumber", 1.0)
	}
	ids["aws:appconfig/deploymentStrategy:DeploymentStrategy"] = func(_, name string, _ resource.PropertyMap, w where) string {
		return appconfigID("strategy", name, w)
	}
	azureNamespaces["appconfiguration"] = "Microsoft.AppConfiguration"
	azureNameInputs["appconfiguration:ConfigurationStore"] = "configStoreName"
	azureNameInputs["appconfiguration:KeyValue"] = "keyValueName"
	attributes["azure-native:appconfiguration:ConfigurationStore"] = func(_, name string, in resource.PropertyMap, _ where, set setter) {
		set("endpoint", fmt.Sprintf("https://%s.azconfig.io", physicalName(name, in, "configStoreName")))
	}
}
