// Package ui renders operation events: the plain and JSON printers used
// without a terminal, and the Bubble Tea models. It makes no AWS or Docker
// calls of its own.
package ui
