// Package alerting is where a stack's alarms and cost notices go, and what
// watches the stack as a whole: the notification target (AlertTarget: an
// SNS topic, Monitoring notification channels or a Monitor action group,
// with prod's wedding-day escalation), the budget (Budget) and the
// dashboard (Dashboard). Components raise their own alarms to the target;
// the thresholds they use are core.AlarmThresholds.
package alerting

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// concat joins id lists known at different times.
func concat(lists ...pulumi.StringArrayOutput) pulumi.StringArrayOutput {
	in := make([]any, len(lists))
	for i, l := range lists {
		in[i] = l
	}
	return pulumi.All(in...).ApplyT(func(vs []any) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.([]string)...)
		}
		return out
	}).(pulumi.StringArrayOutput)
}

func none() pulumi.StringArrayOutput { return pulumi.ToStringArray(nil).ToStringArrayOutput() }

// secretURL keeps a webhook (which embeds its integration key) secret in
// state and in every output.
func secretURL(u string) pulumi.StringOutput {
	return pulumi.ToSecret(pulumi.String(u)).(pulumi.StringOutput)
}
