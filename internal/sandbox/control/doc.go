// Package control is the sandbox's own side, apart from what it emulates:
// faults that make calls (or stack resources) fail the way AWS fails them,
// the count of calls served, and the /_sandbox/ HTTP API that shows and
// changes both.
package control
