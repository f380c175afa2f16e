package aws

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// sortClasses orders instance classes the way people pick them: by family
// (db.r6g before db.r7g before db.t3, generations compared as numbers), then
// by size (micro < small < medium < large < xlarge < 2xlarge < … < metal),
// with db.serverless last.
func sortClasses(classes []string) {
	slices.SortFunc(classes, func(a, b string) int {
		fa, sa, oka := splitClass(a)
		fb, sb, okb := splitClass(b)
		if oka != okb { // db.serverless and other size-less names go last
			if oka {
				return -1
			}
			return 1
		}
		if c := naturalCompare(fa, fb); c != 0 {
			return c
		}
		if c := cmp.Compare(sizeRank(sa), sizeRank(sb)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
}

// splitClass splits "db.r6g.2xlarge" into "r6g" and "2xlarge"; ok is false
// for names without a size, such as db.serverless.
func splitClass(c string) (family, size string, ok bool) {
	rest := strings.TrimPrefix(c, "db.")
	i := strings.LastIndexByte(rest, '.')
	if i < 0 {
		return rest, "", false
	}
	return rest[:i], rest[i+1:], true
}

var namedSizes = map[string]int{"nano": -5, "micro": -4, "small": -3, "medium": -2, "large": -1, "xlarge": 1}

// sizeRank: named sizes, then Nxlarge by N, then metal and anything unknown.
func sizeRank(s string) int {
	if r, ok := namedSizes[s]; ok {
		return r
	}
	if n, err := strconv.Atoi(strings.TrimSuffix(s, "xlarge")); err == nil && strings.HasSuffix(s, "xlarge") {
		return n
	}
	return 1 << 30
}

// naturalCompare compares strings with digit runs compared as numbers, so
// that r10g sorts after r7g.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := isDigit(a[0]), isDigit(b[0])
		if da && db {
			na, ra := digitRun(a)
			nb, rb := digitRun(b)
			if c := cmp.Compare(len(strings.TrimLeft(na, "0")), len(strings.TrimLeft(nb, "0"))); c != 0 {
				return c
			}
			if c := strings.Compare(strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")); c != 0 {
				return c
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digitRun(s string) (run, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}
