package ingress

import (
	"regexp"
	"strings"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Settings are the cloud-neutral knobs users write under `wedsync:ingress`.
type Settings struct {
	// Hostname is the public name couples and suppliers use.
	Hostname string `json:"hostname,omitempty"`
	// DNSZone is the public DNS zone the hostname is a record in (a Route 53
	// hosted zone, a Cloud DNS managed zone, an Azure DNS zone), by its
	// domain name; it exists outside the stack (registrar delegation).
	DNSZone string `json:"dnsZone,omitempty"`
	// DNSResourceGroup is the Azure resource group holding DNSZone.
	DNSResourceGroup string `json:"dnsResourceGroup,omitempty"`
	// HealthCheckPath is the path, on the app port, the load balancer
	// judges an instance by (2xx or 3xx when it can serve).
	HealthCheckPath string `json:"healthCheckPath,omitempty"`
	// TLSPolicy is modern (TLS 1.2 and 1.3, forward-secret ciphers only) or
	// restricted (fewer, stronger TLS 1.2 ciphers; TLS 1.3 where the cloud
	// offers it). Nothing older than TLS 1.2 is ever offered.
	TLSPolicy string `json:"tlsPolicy,omitempty"`
	// WAFMode is block (the WAF blocks what it matches) or count (it only
	// logs: for tuning a new rule outside prod).
	WAFMode string `json:"wafMode,omitempty"`
	// RateLimit is how many requests one client address may make in five
	// minutes before it is refused.
	RateLimit int `json:"rateLimit,omitempty"`
	// AccessLogs turns load balancer access logs on; prod always has them.
	AccessLogs *bool `json:"accessLogs,omitempty"`
	// AccessLogRetentionDays is how long access logs are kept.
	AccessLogRetentionDays int `json:"accessLogRetentionDays,omitempty"`
	// DeletionProtection stops the load balancer being deleted (AWS).
	DeletionProtection *bool `json:"deletionProtection,omitempty"`
	// Failover is this stack's role for the hostname: none (a plain
	// record), primary or secondary in Route 53 failover routing (AWS: the
	// secondary takes traffic when the primary's health check fails), or
	// standby (any cloud: the load balancer stands ready and the stack
	// makes no record, so a DR stack never claims prod's name; the DR
	// runbook's switch-traffic step sets none once prod's record is gone).
	Failover string `json:"failover,omitempty"`
}

// TLS policies, WAF modes and failover roles.
const (
	TLSModern     = "modern"
	TLSRestricted = "restricted"
	WAFBlock      = "block"
	WAFCount      = "count"
	FailoverNone  = "none"
	// FailoverPrimary and FailoverSecondary are Route 53's failover roles.
	FailoverPrimary   = "primary"
	FailoverSecondary = "secondary"
	// FailoverStandby publishes no record: the hostname is another stack's.
	FailoverStandby = "standby"
)

// Limits settings are held to.
const (
	// AWS WAF rate-based rules take 10 or more requests per window
	// (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-request-limiting.html).
	minRateLimit         = 100
	maxRateLimit         = 2_000_000_000
	defaultRateLimit     = 2000
	minLogRetentionDays  = 1
	prodLogRetentionDays = 90
	healthCheckPathMax   = 1024
)

var hostnamePattern = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// ApplyDefaults fills every unset setting for env: prod blocks, logs for
// 90 days and cannot be deleted by accident. Failover is the stack's to
// say in its config (prod: primary, prod-dr: secondary).
func (s *Settings) ApplyDefaults(env core.Environment) {
	if s.Hostname == "" {
		s.Hostname = map[core.Environment]string{core.Prod: "app.wedsync.co.uk"}[env]
		if s.Hostname == "" {
			s.Hostname = string(env) + ".app.wedsync.co.uk"
		}
	}
	if s.DNSZone == "" {
		s.DNSZone = "wedsync.co.uk"
	}
	if s.DNSResourceGroup == "" {
		s.DNSResourceGroup = "wedsync-dns"
	}
	if s.HealthCheckPath == "" {
		s.HealthCheckPath = "/healthz"
	}
	if s.TLSPolicy == "" {
		s.TLSPolicy = TLSModern
	}
	if s.WAFMode == "" {
		s.WAFMode = WAFBlock
	}
	if s.RateLimit == 0 {
		s.RateLimit = defaultRateLimit
	}
	if s.AccessLogs == nil {
		s.AccessLogs = ptr(true)
	}
	if s.AccessLogRetentionDays == 0 {
		s.AccessLogRetentionDays = map[bool]int{true: prodLogRetentionDays, false: 14}[env.IsProd()]
	}
	if s.DeletionProtection == nil {
		s.DeletionProtection = ptr(env.IsProd())
	}
	if s.Failover == "" {
		s.Failover = FailoverNone
	}
}

// Validate returns every problem with s for env on cloud at once; cloud ""
// checks only what every cloud shares.
func (s Settings) Validate(env core.Environment, cloud core.Cloud) error {
	p := &core.Problems{}
	if !hostnamePattern.MatchString(s.Hostname) {
		p.Add("hostname", s.Hostname, "use a lower-case DNS name like app.wedsync.co.uk")
	}
	if !hostnamePattern.MatchString(s.DNSZone) || (s.Hostname != s.DNSZone && !strings.HasSuffix(s.Hostname, "."+s.DNSZone)) {
		p.Add("dnsZone", s.DNSZone, "use the DNS zone (domain) the hostname %s is in", s.Hostname)
	}
	if !strings.HasPrefix(s.HealthCheckPath, "/") || len(s.HealthCheckPath) > healthCheckPathMax || strings.ContainsAny(s.HealthCheckPath, " ?#") {
		p.Add("healthCheckPath", s.HealthCheckPath, "use an absolute path without query, like /healthz")
	}
	if s.TLSPolicy != TLSModern && s.TLSPolicy != TLSRestricted {
		p.Add("tlsPolicy", s.TLSPolicy, "use %s or %s (both refuse anything older than TLS 1.2)", TLSModern, TLSRestricted)
	}
	switch {
	case s.WAFMode != WAFBlock && s.WAFMode != WAFCount:
		p.Add("wafMode", s.WAFMode, "use %s or %s", WAFBlock, WAFCount)
	case env.IsProd() && s.WAFMode != WAFBlock:
		p.Add("wafMode", s.WAFMode, "prod's WAF blocks what it matches; tune rules in %s or staging", WAFCount)
	}
	if s.RateLimit < minRateLimit || s.RateLimit > maxRateLimit {
		p.Add("rateLimit", s.RateLimit, "use %d to %d requests per client address per five minutes", minRateLimit, maxRateLimit)
	}
	if env.IsProd() && (s.AccessLogs == nil || !*s.AccessLogs) {
		p.Add("accessLogs", s.AccessLogs, "prod keeps load balancer access logs (who reached the app, for incidents and GDPR requests); set true")
	}
	switch {
	case s.AccessLogRetentionDays < minLogRetentionDays:
		p.Add("accessLogRetentionDays", s.AccessLogRetentionDays, "use %d or more", minLogRetentionDays)
	case env.IsProd() && s.AccessLogRetentionDays < prodLogRetentionDays:
		p.Add("accessLogRetentionDays", s.AccessLogRetentionDays, "prod keeps access logs at least %d days", prodLogRetentionDays)
	}
	if env.IsProd() && (s.DeletionProtection == nil || !*s.DeletionProtection) {
		p.Add("deletionProtection", s.DeletionProtection, "prod's load balancer is deletion-protected; set true")
	}
	switch {
	case s.Failover != FailoverNone && s.Failover != FailoverPrimary && s.Failover != FailoverSecondary && s.Failover != FailoverStandby:
		p.Add("failover", s.Failover, "use %s, %s, %s or %s", FailoverNone, FailoverPrimary, FailoverSecondary, FailoverStandby)
	case cloud != "" && cloud != core.AWS && (s.Failover == FailoverPrimary || s.Failover == FailoverSecondary):
		p.Add("failover", s.Failover, "failover routing is Route 53's (AWS); on %s a DR stack is %s and takes the hostname by the DR runbook; use %s or %s",
			cloud.Title(), FailoverStandby, FailoverNone, FailoverStandby)
	}
	return p.Err()
}

func ptr[T any](v T) *T { return &v }
