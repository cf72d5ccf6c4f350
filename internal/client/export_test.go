package client

import "testing"

// SetListPageLimit makes the lists read n items a page until the test ends.
func SetListPageLimit(t testing.TB, n int) {
	old := listPageLimit
	listPageLimit = n
	t.Cleanup(func() { listPageLimit = old })
}
