package rules

// networkBreakings are a violating row per cloud for each network and
// database-logging rule; the compliant rows are in every compliant stack.
var networkBreakings = []breaking{
	{"aws_group_lets_every_protocol_out", "aws", "app-sg", "egress.0.protocol", "-1", PolicyExplicitEgress, ""},
	{"aws_egress_rule_every_protocol", "aws", "app-egress", "ipProtocol", "-1", PolicyExplicitEgress, ""},
	{"gcp_egress_allows_all", "gcp", "egress-https", "allows.0.protocol", "all", PolicyExplicitEgress, ""},
	{"gcp_egress_every_port", "gcp", "egress-https", "allows.0.ports", remove, PolicyExplicitEgress, ""},
	{"azure_outbound_any_protocol", "azure", "app-nsg", "securityRules.0.destinationPortRange", "*", PolicyExplicitEgress, ""},
	{"aws_vpc_without_flow_log", "aws", "vpc-flow", "", nil, PolicyFlowLogs, "vpc"},
	{"azure_vnet_without_flow_log", "azure", "vnet-flows", "", nil, PolicyFlowLogs, "vnet"},
	{"azure_vnet_flow_log_disabled", "azure", "vnet-flows", "enabled", false, PolicyFlowLogs, "vnet"},
	{"gcp_subnetwork_without_flow_logs", "gcp", "subnet", "logConfig", remove, PolicyFlowLogs, ""},
	{"rds_params_without_logging", "aws", "db-params", "parameters", arr(obj("name", "rds.force_ssl", "value", "1")), PolicyDBLogging, ""},
	{"rds_temp_files_over_a_size", "aws", "db-params", "parameters.4.value", "1024", PolicyDBLogging, ""},
	{"cloudsql_without_log_flags", "gcp", "db", "settings.databaseFlags", remove, PolicyDBLogging, ""},
	{"azure_without_throttling", "azure", "db-throttle", "", nil, PolicyDBLogging, "db"},
	{"azure_lock_waits_off", "azure", "db-lock-waits", "value", "off", PolicyDBLogging, "db"},
}

func init() { breakings = append(breakings, networkBreakings...) }
