package plan

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The autoscaling group's data sources and computed attributes: the AMI it
// looks up for its root device name, launch template versions, the
// managed instance group's instance group, and Azure identities' principal ids.
func init() {
	invokes["aws:ec2/getAmi:getAmi"] = func(args resource.PropertyMap, w where) map[string]any {
		image := "ami-0123456789abcdef0"
		if f, ok := args["filters"]; ok && f.IsArray() {
			for _, e := range f.ArrayValue() {
				if !e.IsObject() || str(e.ObjectValue(), "name") != "image-id" {
					continue
				}
				if v, ok := e.ObjectValue()["values"]; ok && v.IsArray() && len(v.ArrayValue()) > 0 && v.ArrayValue()[0].IsString() {
					image = v.ArrayValue()[0].StringValue()
				}
			}
		}
		return map[string]any{
			"id": image, "imageId": image, "rootDeviceName": "/dev/xvda", "rootDeviceType": "ebs",
			"architecture": "x86_64", "arn": fmt.Sprintf("arn:aws:ec2:%s::image/%s", w.region, image),
		}
	}
	attributes["aws:ec2/launchTemplate:LaunchTemplate"] = func(_, _ string, _ resource.PropertyMap, _ where, set setter) {
		set("latestVersion", 1)
		set("defaultVersion", 1)
	}
	attributes["gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		set("instanceGroup", fmt.Sprintf("https://www.googleapis.com/compute/v1/projects/%s/regions/%s/instanceGroups/%s", w.project, w.region, physicalName(name, in, "name")))
	}
	if _, ok := attributes["azure-native:managedidentity:UserAssignedIdentity"]; !ok {
		attributes["azure-native:managedidentity:UserAssignedIdentity"] = func(id, _ string, _ resource.PropertyMap, _ where, set setter) {
			set("principalId", MockAzurePrincipalID(id))
			set("clientId", uuidFrom("client"+id))
			set("tenantId", MockAzureTenant)
		}
	}
}
