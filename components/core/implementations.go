package core

import "fmt"

// Implementations are a component's one function per cloud, each in its
// own file with the same signature (components/README.md).
type Implementations[T any] struct {
	AWS, GCP, Azure func() (T, error)
}

// Build runs the implementation for cloud; a cloud without one is an error.
func (i Implementations[T]) Build(cloud Cloud) (T, error) {
	impl := map[Cloud]func() (T, error){AWS: i.AWS, GCP: i.GCP, Azure: i.Azure}[cloud]
	if impl == nil {
		var zero T
		return zero, fmt.Errorf("cloud %q is not supported", cloud)
	}
	return impl()
}
