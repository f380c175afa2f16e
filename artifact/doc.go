// Package artifact owns the database artifact: its resolved spec (an INI plus
// what discovery found), the clone template, stack naming and tags, and the
// operations build, clone, teardown and list. Each operation reports its
// progress as typed events on one stream; it never prints.
package artifact
