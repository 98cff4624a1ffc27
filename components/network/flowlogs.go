package network

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// FlowLogsType is the flow logs' type token.
const FlowLogsType = "wedsync:network:FlowLogs"

// FlowLogsArgs say whose network is observed and under which key its
// records are kept. The flow logs are their own component because the
// stack's keys are made after the network.
type FlowLogsArgs struct {
	Deployment core.Deployment
	Site       core.Site
	Network    *Network
	// Key encrypts the records (AWS: the CloudWatch Logs group).
	Key *core.Key
}

// FlowLogs records every flow in and out of a site's network:
//   - AWS: a VPC flow log of all traffic to a CloudWatch Logs group under
//     the stack's data key, kept core.LogRetentionDays;
//   - GCP: the subnetwork's own flow logs (network.go's gcp), nothing more;
//   - Azure: a virtual-network flow log through the region's Network
//     Watcher into a storage account of its own (flowlogs_azure.go).
type FlowLogs struct {
	pulumi.ResourceState
}

// NewFlowLogs turns on the flow logs of args.Network.
func NewFlowLogs(ctx *pulumi.Context, name string, args *FlowLogsArgs, opts ...pulumi.ResourceOption) (*FlowLogs, error) {
	if args == nil || args.Network == nil || args.Key == nil || args.Site.Provider == nil {
		return nil, fmt.Errorf("flow logs %s: the site, its network and a key are required", name)
	}
	c := &FlowLogs{}
	if err := ctx.RegisterComponentResource(FlowLogsType, name, c, opts...); err != nil {
		return nil, err
	}
	b := &flowBuilder{ctx: ctx, name: name, a: args, c: c}
	if _, err := (core.Implementations[struct{}]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}).Build(args.Site.Cloud); err != nil {
		return nil, fmt.Errorf("flow logs %s: %w", name, err)
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{})
}

type flowBuilder struct {
	ctx  *pulumi.Context
	name string
	a    *FlowLogsArgs
	c    *FlowLogs
}

func (b *flowBuilder) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return b.a.Site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)...)
}

// gcp: the subnetwork's log config already records every flow (sampled,
// with all metadata), so there is nothing to add.
func (b *flowBuilder) gcp() (struct{}, error) { return struct{}{}, nil }

// aws: all accepted and rejected traffic of the VPC, to a log group under
// the data key, delivered by a role that may write to that group only
// (docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
func (b *flowBuilder) aws() (struct{}, error) {
	dep := b.a.Deployment
	group, err := cloudwatch.NewLogGroup(b.ctx, b.name, &cloudwatch.LogGroupArgs{
		Name:            pulumi.Sprintf("/wedsync/%s/vpc-flow-logs/%s", dep.Stack, b.a.Site.Short()),
		RetentionInDays: pulumi.Int(core.LogRetentionDays(dep.Environment)),
		KmsKeyId:        b.a.Key.ID,
		Tags:            dep.Tags.For(core.AWS),
	}, b.opts()...)
	if err != nil {
		return struct{}{}, err
	}
	role, err := iam.NewRole(b.ctx, b.name, &iam.RoleArgs{
		Name:             pulumi.String(dep.NameWithin(64, "flow-logs", b.a.Site.Short())),
		Description:      pulumi.String("VPC flow logs: writes to the stack's flow log group only"),
		AssumeRolePolicy: pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	}, b.opts()...)
	if err != nil {
		return struct{}{}, err
	}
	if _, err := iam.NewRolePolicy(b.ctx, b.name, &iam.RolePolicyArgs{
		Role:   role.Name,
		Policy: group.Arn.ApplyT(flowLogPolicy).(pulumi.StringOutput),
	}, b.opts()...); err != nil {
		return struct{}{}, err
	}
	_, err = ec2.NewFlowLog(b.ctx, b.name, &ec2.FlowLogArgs{
		VpcId:                  b.a.Network.ID,
		TrafficType:            pulumi.String("ALL"),
		LogDestinationType:     pulumi.String("cloud-watch-logs"),
		LogDestination:         group.Arn,
		IamRoleArn:             role.Arn,
		MaxAggregationInterval: pulumi.Int(60),
		Tags:                   dep.Tags.For(core.AWS),
	}, b.opts()...)
	return struct{}{}, err
}

// flowLogPolicy lets the delivery role write the group's streams.
func flowLogPolicy(groupArn string) (string, error) {
	out, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []map[string]any{{
		"Sid": "WriteFlowLogs", "Effect": "Allow",
		"Action":   []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"},
		"Resource": []string{groupArn, groupArn + ":*"},
	}}})
	return string(out), err
}
