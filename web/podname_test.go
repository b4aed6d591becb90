package web

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A pod box's name leaves room for its count: the longer the count, the
// shorter the name, the owner cut before the suffix that tells pods apart.
func TestPodNameLeavesRoomForTheCount(t *testing.T) {
	for _, tc := range []struct {
		label  string
		router bool
		count  int64
		want   string
	}{
		{"shop·9bv9n", false, 7, "shop·9bv9n"},
		{"shop·9bv9n", false, 42, "shop·9bv9n"},
		{"shop·9bv9n", false, 336, "sh…·9bv9n"},
		{"shop·9bv9n", false, 1250, "s…·9bv9n"},
		{"router·x2k4q", true, 0, "router·x2k4q"},
		{"router·x2k4q", true, 12, "rou…·x2k4q"},
		{"frontend·abcdef", false, 1_250_000, "fronten…"},
		{"standalone-p…", false, 1250, "standal…"},
	} {
		got := podName(PodBox{Label: tc.label, Router: tc.router, Count: tc.count})
		assert.Equal(t, tc.want, got, "%s with %d", tc.label, tc.count)
	}
}
