package secretsstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudtrail"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// awsServices are the AWS services that encrypt with each key on the
// deploy's behalf (kms:ViaService), so the deploy role can hand a key to
// them without being able to use it directly. The field key is used only by
// the application.
var awsServices = map[core.KeyPurpose][]string{
	core.DataKey:    {"rds", "ec2"},
	core.BackupKey:  {"s3"},
	core.SecretsKey: {"secretsmanager"},
}

// awsKeyActions are the KMS actions of each access level.
var awsKeyActions = map[Access][]string{
	Read:           {"kms:Decrypt", "kms:DescribeKey"},
	EncryptDecrypt: {"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"},
}

// awsKeyAdminActions let the deploy role manage keys but not use them.
var awsKeyAdminActions = []string{
	"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
	"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
	"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:ReplicateKey", "kms:RotateKeyOnDemand",
}

// awsSecretActions are what a secret grant allows: reading, never writing.
var awsSecretActions = []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}

// policyDocument and statement are an IAM policy as JSON.
type policyDocument struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal map[string][]string       `json:"Principal"`
	Action    []string                  `json:"Action"`
	Resource  string                    `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

func allow(sid string, principals []string, actions []string) statement {
	return statement{Sid: sid, Effect: "Allow", Principal: map[string][]string{"AWS": principals}, Action: actions, Resource: "*"}
}

func (d policyDocument) String() string {
	out, err := json.Marshal(d)
	if err != nil {
		panic(err) // only strings, slices and maps: cannot fail
	}
	return string(out)
}

// awsIdentity is who the key policies name: the account root and the deploy
// role.
type awsIdentity struct {
	partition, account, deployRole string
}

func (b *builder) awsIdentity() (awsIdentity, error) {
	prov := pulumi.Provider(b.dep.Primary.Provider)
	caller, err := aws.GetCallerIdentity(b.ctx, nil, prov)
	if err != nil {
		return awsIdentity{}, fmt.Errorf("look up the AWS caller identity: %w", err)
	}
	part, err := aws.GetPartition(b.ctx, nil, prov)
	if err != nil {
		return awsIdentity{}, fmt.Errorf("look up the AWS partition: %w", err)
	}
	id := awsIdentity{partition: part.Partition, account: caller.AccountId, deployRole: b.args.DeployRoleARN}
	if id.deployRole == "" {
		// CI runs as an assumed-role session (arn:aws:sts::...:assumed-role/R/S),
		// which a key policy cannot name; the session's issuer is the role.
		sess, err := iam.GetSessionContext(b.ctx, &iam.GetSessionContextArgs{Arn: caller.Arn}, prov)
		if err != nil {
			return awsIdentity{}, fmt.Errorf("resolve the deploy role of %s: %w", caller.Arn, err)
		}
		id.deployRole = sess.IssuerArn
	}
	return id, nil
}

// keyPolicy is the policy of purpose's key in region: the account root (so
// the key can never become unmanageable, and IAM policies in the account
// apply), the deploy role as administrator and, through AWS services only,
// as user; then exactly the grants' principals with their access.
func (b *builder) keyPolicy(id awsIdentity, purpose core.KeyPurpose, region string) string {
	root := fmt.Sprintf("arn:%s:iam::%s:root", id.partition, id.account)
	doc := policyDocument{Version: "2012-10-17", Statement: []statement{
		allow("AccountRootManagesKey", []string{root}, []string{"kms:*"}),
		allow("DeployRoleAdministersKey", []string{id.deployRole}, awsKeyAdminActions),
	}}
	if svcs := awsServices[purpose]; len(svcs) > 0 {
		via := make([]string, len(svcs))
		for i, s := range svcs {
			via[i] = fmt.Sprintf("%s.%s.amazonaws.com", s, region)
		}
		st := allow("DeployRoleUsesKeyThroughServices", []string{id.deployRole},
			[]string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"})
		st.Condition = map[string]map[string]any{"StringEquals": {"kms:ViaService": via}}
		doc.Statement = append(doc.Statement, st)
	}
	users := b.set.keyUsers(purpose)
	for _, a := range Accesses {
		if len(users[a]) > 0 {
			doc.Statement = append(doc.Statement, allow("Grant"+strings.ToUpper(string(a[:1]))+string(a[1:]), users[a], awsKeyActions[a]))
		}
	}
	if p := users[EncryptDecrypt]; len(p) > 0 {
		// Services acting for a grantee (EBS for the Auto Scaling
		// service-linked role) need a KMS grant, and only for AWS resources.
		st := allow("GrantEncryptDecryptToAWSResources", p, []string{"kms:CreateGrant"})
		st.Condition = map[string]map[string]any{"Bool": {"kms:GrantIsForAWSResource": true}}
		doc.Statement = append(doc.Statement, st)
	}
	if purpose == core.DataKey {
		// CloudWatch Logs encrypts the database's log groups with the data
		// key: only for this account's log groups in this region.
		// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
		st := statement{Sid: "CloudWatchLogsEncryptsLogGroups", Effect: "Allow",
			Principal: map[string][]string{"Service": {fmt.Sprintf("logs.%s.amazonaws.com", region)}},
			Action:    []string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"}, Resource: "*"}
		st.Condition = map[string]map[string]any{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", id.partition, region, id.account)}}
		doc.Statement = append(doc.Statement, st)
	}
	if purpose == core.BackupKey {
		// CloudTrail encrypts the backups' access records (S3 data events
		// in an event data store, components/backupbucket) with the backup
		// key: only for this account's event data stores in this region.
		st := statement{Sid: "CloudTrailEncryptsBackupAccessRecords", Effect: "Allow",
			Principal: map[string][]string{"Service": {"cloudtrail.amazonaws.com"}},
			Action:    []string{"kms:GenerateDataKey*", "kms:Decrypt", "kms:DescribeKey"}, Resource: "*"}
		st.Condition = map[string]map[string]any{"StringLike": {"aws:SourceArn": fmt.Sprintf("arn:%s:cloudtrail:%s:%s:eventdatastore/*", id.partition, region, id.account)}}
		doc.Statement = append(doc.Statement, st)
	}
	if purpose == core.SecretsKey {
		// Secret readers decrypt only through Secrets Manager, and only the
		// secrets they were granted (by the secret ARN in the encryption
		// context, whose random suffix is not known before the secret exists).
		for i, p := range b.set.allSecretReaders() {
			var arns []string
			for _, sec := range b.set.Secrets {
				if slices.Contains(b.set.readersOf(sec.Name), p) {
					arns = append(arns, fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s-??????", id.partition, region, id.account, b.awsSecretName(sec.Name)))
				}
			}
			st := allow(fmt.Sprintf("ReadGrantedSecrets%d", i+1), []string{p}, []string{"kms:Decrypt"})
			st.Condition = map[string]map[string]any{
				"StringEquals": {"kms:ViaService": fmt.Sprintf("secretsmanager.%s.amazonaws.com", region)},
				"StringLike":   {"kms:EncryptionContext:SecretARN": arns},
			}
			doc.Statement = append(doc.Statement, st)
		}
	}
	return doc.String()
}

func (b *builder) awsSecretName(name string) string {
	return b.dep.Project + "/" + b.dep.Stack + "/" + name
}

// aws is the store on KMS and Secrets Manager: a key per purpose (a
// multi-Region key, replicated to the DR site), the secrets, the CloudTrail
// Lake audit store and, with an alert target, the alarms.
func (b *builder) aws() (outputs, error) {
	id, err := b.awsIdentity()
	if err != nil {
		return b.out, err
	}
	sites := b.sites()
	for _, purpose := range core.KeyPurposes {
		if err := b.awsKey(id, sites, purpose); err != nil {
			return b.out, err
		}
	}
	if err := b.awsSecrets(sites); err != nil {
		return b.out, err
	}
	if err := b.awsAudit(); err != nil {
		return b.out, err
	}
	if b.args.Alerts != nil {
		return b.out, b.awsAlarms()
	}
	return b.out, nil
}

// awsKey is purpose's key at the primary and its replicas at the other sites.
func (b *builder) awsKey(id awsIdentity, sites []core.Site, purpose core.KeyPurpose) error {
	primary := sites[0]
	desc := fmt.Sprintf("WedSync %s %s key", b.dep.Stack, purpose)
	key, err := kms.NewKey(b.ctx, b.resourceName(core.Primary, "key", string(purpose)), &kms.KeyArgs{
		Description:           pulumi.String(desc),
		KeyUsage:              pulumi.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec: pulumi.String("SYMMETRIC_DEFAULT"),
		EnableKeyRotation:     pulumi.Bool(true),
		RotationPeriodInDays:  pulumi.Int(b.set.KeyRotationDays),
		DeletionWindowInDays:  pulumi.Int(b.set.DeletionWindowDays),
		MultiRegion:           pulumi.Bool(len(sites) > 1),
		Policy:                pulumi.String(b.keyPolicy(id, purpose, primary.Region)),
	}, b.opts(primary)...)
	if err != nil {
		return err
	}
	if err := b.awsAlias(primary, purpose, key.KeyId); err != nil {
		return err
	}
	b.addKey(&core.Key{Purpose: purpose, Region: primary.Region, ID: key.Arn}, core.Primary)
	for _, site := range sites[1:] {
		// A replica shares the primary's key material and rotation, so data
		// replicated to the DR region decrypts there without cross-region
		// calls, even when the primary region is down.
		replica, err := kms.NewReplicaKey(b.ctx, b.resourceName(site.Role, "key", string(purpose)), &kms.ReplicaKeyArgs{
			PrimaryKeyArn:        key.Arn,
			Description:          pulumi.String(desc + " (replica)"),
			DeletionWindowInDays: pulumi.Int(b.set.DeletionWindowDays),
			Policy:               pulumi.String(b.keyPolicy(id, purpose, site.Region)),
		}, b.opts(site)...)
		if err != nil {
			return err
		}
		if err := b.awsAlias(site, purpose, replica.KeyId); err != nil {
			return err
		}
		b.addKey(&core.Key{Purpose: purpose, Region: site.Region, ID: replica.Arn}, site.Role)
	}
	return nil
}

// awsAlias gives a key a stable name ("alias/wedsync-prod-data") in its region.
func (b *builder) awsAlias(site core.Site, purpose core.KeyPurpose, keyID pulumi.StringInput) error {
	_, err := kms.NewAlias(b.ctx, b.resourceName(site.Role, "alias", string(purpose)), &kms.AliasArgs{
		Name:        pulumi.String("alias/" + b.dep.Name(string(purpose))),
		TargetKeyId: keyID,
	}, site.With(pulumi.Parent(b.c))...)
	return err
}

func (b *builder) awsSecrets(sites []core.Site) error {
	primary := sites[0]
	for _, sec := range b.set.Secrets {
		var replicas secretsmanager.SecretReplicaArray
		for _, site := range sites[1:] {
			replicas = append(replicas, secretsmanager.SecretReplicaArgs{
				Region:   pulumi.String(site.Region),
				KmsKeyId: b.out.keys[site.Role][core.SecretsKey].ID,
			})
		}
		args := &secretsmanager.SecretArgs{
			Name:                 pulumi.String(b.awsSecretName(sec.Name)),
			KmsKeyId:             b.out.keys[core.Primary][core.SecretsKey].ID,
			RecoveryWindowInDays: pulumi.Int(b.set.DeletionWindowDays),
			Replicas:             replicas,
		}
		if sec.Description != "" {
			args.Description = pulumi.String(sec.Description)
		}
		secret, err := secretsmanager.NewSecret(b.ctx, b.resourceName(core.Primary, "secret", sec.Name), args, b.opts(primary)...)
		if err != nil {
			return err
		}
		b.out.secretIDs[sec.Name] = secret.Arn
		if readers := b.set.readersOf(sec.Name); len(readers) > 0 {
			doc := policyDocument{Version: "2012-10-17", Statement: []statement{allow("GrantRead", readers, awsSecretActions)}}
			if _, err := secretsmanager.NewSecretPolicy(b.ctx, b.resourceName(core.Primary, "secret-policy", sec.Name), &secretsmanager.SecretPolicyArgs{
				SecretArn:         secret.Arn,
				Policy:            pulumi.String(doc.String()),
				BlockPublicPolicy: pulumi.Bool(true),
			}, primary.With(pulumi.Parent(secret))...); err != nil {
				return err
			}
		}
		if b.hasValue(sec.Name) {
			if _, err := secretsmanager.NewSecretVersion(b.ctx, b.resourceName(core.Primary, "secret-value", sec.Name), &secretsmanager.SecretVersionArgs{
				SecretId:     secret.ID(),
				SecretString: b.value(sec.Name),
			}, primary.With(pulumi.Parent(secret))...); err != nil {
				return err
			}
		}
		if r := sec.Rotation; r != nil {
			if _, err := secretsmanager.NewSecretRotation(b.ctx, b.resourceName(core.Primary, "secret-rotation", sec.Name), &secretsmanager.SecretRotationArgs{
				SecretId:          secret.ID(),
				RotationLambdaArn: pulumi.String(r.Function),
				RotationRules:     secretsmanager.SecretRotationRotationRulesArgs{AutomaticallyAfterDays: pulumi.Int(r.Days)},
			}, primary.With(pulumi.Parent(secret))...); err != nil {
				return err
			}
		}
	}
	return nil
}

// awsAudit records every KMS and Secrets Manager call of the account, in
// every region, in a CloudTrail Lake event data store. KMS and Secrets
// Manager calls (Decrypt, GetSecretValue) are management events, so the
// selector picks management events by event source. An event data store
// keeps the records itself (queryable with SQL, with its own retention and
// termination protection), so no log bucket has to be created and secured.
func (b *builder) awsAudit() error {
	if !*b.set.AuditLogs {
		return nil
	}
	store, err := cloudtrail.NewEventDataStore(b.ctx, b.resourceName(core.Primary, "audit"), &cloudtrail.EventDataStoreArgs{
		Name:                         pulumi.String(b.dep.Name("secrets-audit")),
		MultiRegionEnabled:           pulumi.Bool(true),
		OrganizationEnabled:          pulumi.Bool(false),
		RetentionPeriod:              pulumi.Int(b.set.AuditRetentionDays),
		TerminationProtectionEnabled: pulumi.Bool(b.dep.IsProd()),
		AdvancedEventSelectors: cloudtrail.EventDataStoreAdvancedEventSelectorArray{
			cloudtrail.EventDataStoreAdvancedEventSelectorArgs{
				Name: pulumi.String("KMS and Secrets Manager activity"),
				FieldSelectors: cloudtrail.EventDataStoreAdvancedEventSelectorFieldSelectorArray{
					cloudtrail.EventDataStoreAdvancedEventSelectorFieldSelectorArgs{
						Field: pulumi.String("eventCategory"), Equals: pulumi.StringArray{pulumi.String("Management")},
					},
					cloudtrail.EventDataStoreAdvancedEventSelectorFieldSelectorArgs{
						Field:  pulumi.String("eventSource"),
						Equals: pulumi.StringArray{pulumi.String("kms.amazonaws.com"), pulumi.String("secretsmanager.amazonaws.com")},
					},
				},
			},
		},
	}, b.opts(b.dep.Primary)...)
	if err != nil {
		return err
	}
	b.out.auditLog = store.Arn
	return nil
}

// awsAlarms: two EventBridge rules match CloudTrail management events (which
// reach EventBridge from the account's trail): ScheduleKeyDeletion or
// DisableKey on the stack's keys, and denied Secrets Manager or KMS calls.
// A CloudWatch alarm on each rule's MatchedEvents notifies the alert
// target: any match for the keys, a spike for the denials.
func (b *builder) awsAlarms() error {
	t, primary := b.args.Alerts.Limits(), b.dep.Primary
	var arns []any
	for _, purpose := range core.KeyPurposes {
		if k := b.out.keys[core.Primary][purpose]; k != nil {
			arns = append(arns, k.ID)
		}
	}
	keyPattern := pulumi.All(arns...).ApplyT(func(ids []any) (string, error) {
		out, err := json.Marshal(map[string]any{
			"source":      []string{"aws.kms"},
			"detail-type": []string{"AWS API Call via CloudTrail"},
			"detail": map[string]any{
				"eventName": []string{"ScheduleKeyDeletion", "DisableKey"},
				"resources": map[string]any{"ARN": ids},
			},
		})
		return string(out), err
	}).(pulumi.StringOutput)
	denied, err := json.Marshal(map[string]any{
		"source":      []string{"aws.secretsmanager", "aws.kms"},
		"detail-type": []string{"AWS API Call via CloudTrail"},
		"detail":      map[string]any{"errorCode": []string{"AccessDenied", "AccessDeniedException"}},
	})
	if err != nil {
		return err
	}
	opts := primary.With(pulumi.Parent(b.c))
	for _, a := range []struct {
		key       string
		pattern   pulumi.StringInput
		period    int
		threshold float64
	}{
		{alarmKeyDeletion, keyPattern, 60, 0},
		{alarmAccessDenied, pulumi.String(string(denied)), t.SecretAccessDeniedMinutes * 60, float64(t.SecretAccessDenied)},
	} {
		rule, err := cloudwatch.NewEventRule(b.ctx, b.resourceName(core.Primary, a.key), &cloudwatch.EventRuleArgs{
			Name:         pulumi.String(b.dep.Name("secrets", a.key)),
			Description:  pulumi.String("Matches what the " + a.key + " alarm counts"),
			EventPattern: a.pattern,
		}, opts...)
		if err != nil {
			return err
		}
		if _, err := cloudwatch.NewMetricAlarm(b.ctx, b.resourceName(core.Primary, a.key), &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(b.dep.Name("secrets", a.key)),
			AlarmDescription:   pulumi.String(alarmDescription(a.key, t)),
			Namespace:          pulumi.String("AWS/Events"),
			MetricName:         pulumi.String("MatchedEvents"),
			Dimensions:         pulumi.StringMap{"RuleName": rule.Name},
			Statistic:          pulumi.String("Sum"),
			Period:             pulumi.Int(a.period),
			EvaluationPeriods:  pulumi.Int(1),
			ComparisonOperator: pulumi.String("GreaterThanThreshold"),
			Threshold:          pulumi.Float64(a.threshold),
			TreatMissingData:   pulumi.String("notBreaching"),
			AlarmActions:       b.args.Alerts.Actions(),
		}, opts...); err != nil {
			return err
		}
	}
	return nil
}
