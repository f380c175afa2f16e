package common

import (
	"fmt"
	"strings"
	"testing"
)

func TestScrolled(t *testing.T) {
	th := NewTheme(true, true)
	var lines []string
	for i := range 10 {
		lines = append(lines, fmt.Sprint("line ", i))
	}
	for _, tc := range []struct {
		h, off, wantOff int
		want            string
	}{
		{12, 5, 0, "line 0|line 1|line 2|line 3|line 4|line 5|line 6|line 7|line 8|line 9"},
		{5, 0, 0, "line 0|line 1|line 2|line 3|  ↓ 6 more below · ↑↓ scroll"},
		{5, 3, 3, "  ↑ 3 more above|line 3|line 4|line 5|  ↓ 4 more below · ↑↓ scroll"},
		{5, 99, 6, "  ↑ 6 more above|line 6|line 7|line 8|line 9"},
	} {
		got, off := Scrolled(th, lines, tc.h, tc.off)
		if s := strings.Join(got, "|"); s != tc.want || off != tc.wantOff || len(got) > tc.h {
			t.Errorf("Scrolled(h %d, off %d) = %q at %d, want %q at %d", tc.h, tc.off, s, off, tc.want, tc.wantOff)
		}
	}
}
