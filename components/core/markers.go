package core

// What WedSync shows in place of a value it cannot or must not show: the
// offline plan's inputs, a secret config value the plan cannot decrypt, a
// stack's secret outputs. One declaration, so every writer (the plan, the
// project and environment loaders, deploy) and every reader (the policy
// rules, which treat both as "cannot judge yet") agree.
const (
	// SecretMarker stands for a secret value: it is never shown.
	SecretMarker = "[secret]"
	// UnknownMarker stands for a value only known after deploy.
	UnknownMarker = "[unknown]"
)
