package common

import "strconv"

// Count says how many of noun there are: "1 column", "3 columns", "0 SQL
// files". noun is regular (takes an s).
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
