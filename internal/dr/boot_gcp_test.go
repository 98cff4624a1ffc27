package dr

import (
	"slices"
	"strings"
)

func (c *bootCase) gcpBoot(image string, add func(string, ...any)) {
	tmpl, mig := c.resource("gcp:compute/instanceTemplate:InstanceTemplate"), c.resource("gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager")
	if tmpl == nil || mig == nil {
		add("no instance template or regional managed instance group in %s", c.dr.Stack)
		return
	}
	// A GCP image is global and boots in any region
	// (https://cloud.google.com/compute/docs/images); the template must
	// boot the release's image, and the group run in region.
	if got := s(tmpl.Inputs, "disks", "0", "sourceImage"); got != image {
		add("the instance template boots %s; the release's image in %s is %q", got, c.region, image)
	}
	if s(mig.Inputs, "region") != c.region {
		add("the group runs in %s, not %s", s(mig.Inputs, "region"), c.region)
	}
	if !strings.HasSuffix(s(mig.Inputs, "versions", "0", "instanceTemplate"), "/"+tmplPath(tmpl.ID)) {
		add("the group runs template %s, not %s", s(mig.Inputs, "versions", "0", "instanceTemplate"), tmpl.ID)
	}
	sa := s(tmpl.Inputs, "serviceAccount", "email")
	member := "serviceAccount:" + sa
	granted := func(role string, match func(jsonResource) bool) bool {
		for _, r := range c.dr.Resources {
			if r.Inputs["role"] == role && r.Inputs["member"] == member && (match == nil || match(r)) {
				return true
			}
		}
		return false
	}
	// Secret Manager access is roles/secretmanager.secretAccessor
	// (https://cloud.google.com/secret-manager/docs/access-control), and
	// each secret the app reads must have a replica in region
	// (https://cloud.google.com/secret-manager/docs/choosing-replication).
	if !granted("roles/secretmanager.secretAccessor", nil) {
		add("%s may not read secrets (roles/secretmanager.secretAccessor)", sa)
	}
	c.gcpSecretsReplicated(member, add)
	// The field key: roles/cloudkms.cryptoKeyEncrypterDecrypter on a key in
	// region (https://cloud.google.com/kms/docs/reference/permissions-and-roles).
	if !granted("roles/cloudkms.cryptoKeyEncrypterDecrypter", func(r jsonResource) bool {
		id := s(r.Inputs, "cryptoKeyId")
		return strings.Contains(id, "/locations/"+c.region+"/") && strings.HasSuffix(id, "/field")
	}) {
		add("%s may not use the field key in %s", sa, c.region)
	}
	c.gcpDatabase(sa, granted, add)
	// The backend service's backend is the managed instance group
	// (https://cloud.google.com/load-balancing/docs/backend-service#backends).
	group := "/regions/" + c.region + "/instanceGroups/" + s(mig.Inputs, "name")
	backend := c.resource("gcp:compute/backendService:BackendService")
	if backend == nil || !slices.ContainsFunc(asList(at(backend.Inputs, "backends")), func(b any) bool { return strings.HasSuffix(s(b, "group"), group) }) {
		add("no backend is the group %s: the load balancer cannot reach it", group)
	}
}

// tmplPath is "instanceTemplates/NAME" of a template id.
func tmplPath(id string) string {
	i := strings.Index(id, "instanceTemplates/")
	if i < 0 {
		return id
	}
	return id[i:]
}

// gcpSecretsReplicated: every secret of the source whose name the app's
// accessor grant covers has a replica in region.
func (c *bootCase) gcpSecretsReplicated(member string, add func(string, ...any)) {
	var prefixes []string
	for _, r := range c.dr.Resources {
		if r.Inputs["role"] == "roles/secretmanager.secretAccessor" && r.Inputs["member"] == member {
			expr := s(r.Inputs, "condition", "expression")
			if _, after, ok := strings.Cut(expr, "/secrets/"); ok {
				prefixes = append(prefixes, strings.TrimSuffix(after, "')"))
			}
		}
	}
	readable := 0
	for _, sec := range all(c.source, "gcp:secretmanager/secret:Secret") {
		id := s(sec.Inputs, "secretId")
		if !slices.ContainsFunc(prefixes, func(p string) bool { return p != "" && strings.HasPrefix(id, p) }) {
			continue
		}
		readable++
		replicas := asList(at(sec.Inputs, "replication", "userManaged", "replicas"))
		if at(sec.Inputs, "replication", "auto") == nil && !slices.ContainsFunc(replicas, func(r any) bool { return s(r, "location") == c.region }) {
			add("the source's secret %s, which the app reads, has no replica in %s", id, c.region)
		}
	}
	if readable == 0 {
		add("none of the source's secrets is one the app may read (%v)", prefixes)
	}
}

// gcpDatabase: the instance is a clone of the promoted cross-region
// replica or a restore of a backup run, in region
// (https://cloud.google.com/sql/docs/postgres/replication/cross-region-replicas,
// https://cloud.google.com/sql/docs/postgres/backup-recovery/restoring);
// the app signs in as an IAM database user, which needs
// roles/cloudsql.client and roles/cloudsql.instanceUser and a
// CLOUD_IAM_SERVICE_ACCOUNT user named the email without
// ".gserviceaccount.com" (https://cloud.google.com/sql/docs/postgres/add-manage-iam-users).
func (c *bootCase) gcpDatabase(sa string, granted func(string, func(jsonResource) bool) bool, add func(string, ...any)) {
	db := one(c.dr, "gcp:sql/databaseInstance:DatabaseInstance", func(r jsonResource) bool { return s(r.Inputs, "region") == c.region })
	if db == nil {
		add("no database instance in %s", c.region)
		return
	}
	name := s(db.Inputs, "name")
	src := s(db.Inputs, "clone", "sourceInstanceName")
	if src == "" && at(db.Inputs, "restoreBackupContext") == nil {
		add("the database %s is not a restore (no clone, no backup run): it would start empty", name)
	}
	if src != "" && one(c.source, "gcp:sql/databaseInstance:DatabaseInstance", func(r jsonResource) bool {
		return s(r.Inputs, "name") == src && s(r.Inputs, "region") == c.region
	}) == nil {
		add("the database clones %s, which the source does not replicate to %s", src, c.region)
	}
	onDB := func(r jsonResource) bool {
		return strings.Contains(s(r.Inputs, "condition", "expression"), "instances/"+name+"'")
	}
	for _, role := range []string{"roles/cloudsql.client", "roles/cloudsql.instanceUser"} {
		if !granted(role, onDB) {
			add("%s lacks %s on %s", sa, role, name)
		}
	}
	if one(c.dr, "gcp:sql/user:User", func(r jsonResource) bool {
		return s(r.Inputs, "type") == "CLOUD_IAM_SERVICE_ACCOUNT" && s(r.Inputs, "instance") == name && s(r.Inputs, "name") == strings.TrimSuffix(sa, ".gserviceaccount.com")
	}) == nil {
		add("no IAM database user for %s on %s", sa, name)
	}
	// Managed connection pooling is Enterprise Plus only
	// (https://cloud.google.com/sql/docs/postgres/managed-connection-pooling);
	// otherwise the pooler is PgBouncer on each instance, configured from
	// the database output the app reads, which must name this instance.
	if at(db.Inputs, "settings", "connectionPoolConfigs") == nil {
		if ep := s(c.dr.Outputs, "database", "poolerEndpoint"); ep != "127.0.0.1" || s(c.dr.Outputs, "database", "sourceId") != name {
			add("the pooler (%s) does not front the restored instance %s (database output %v)", ep, name, c.dr.Outputs["database"])
		}
	}
}
