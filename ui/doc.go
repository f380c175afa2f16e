// Package ui is the terminal interface, a package per screen: wizard (the
// build wizard and its pickers), cloneview (a clone or teardown followed
// live), clonelist (the clones in a region), home (the menu `dbaf` opens
// on) and printer (the plain and JSON output used without a terminal).
// What they share lives in common: the Common struct every screen embeds
// (context, size, theme, help) with its Update prologue, the theme, key
// help built from key.Binding keymaps, the adapter from an operation's
// event stream to messages (StartOp), layout helpers, ctrl+c, and the Host
// through which home shows the other screens as its children in one
// program (home.Host; a screen's Run alone is its own program). The screens make no AWS or Docker calls of their own: they run
// the operations the command hands them and render their events.
package ui
