// Package ui is the terminal interface, a package per screen: wizard (the
// build wizard and its pickers), cloneview (a clone or teardown followed
// live), clonelist (the clones in a region), home (the menu `dbaf` opens
// on) and printer (the plain and JSON output used without a terminal).
// What they share (the theme, key help, layout helpers, ctrl+c) lives in
// common. The screens make no AWS or Docker calls of their own: they run
// the operations the command hands them and render their events.
package ui
