package wizard

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dbaf/dbaf/ui/common"
)

func pickerOf(ids ...string) picker {
	p := newPicker([]string{"ID"}, []int{20}, false)
	p.setHeight(3)
	items := make([]pickerItem, len(ids))
	for i, id := range ids {
		items[i] = pickerItem{id: id, cols: []string{id}, search: strings.ToLower(id)}
	}
	p.add(items)
	return p
}

func pickerShownIDs(p *picker) []string {
	var out []string
	for _, i := range p.shown {
		out = append(out, p.items[i].id)
	}
	return out
}

func TestPickerFilter(t *testing.T) {
	p := pickerOf("prod-aurora", "orders-mysql", "Prod-Reports", "staging")
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{"prod", []string{"prod-aurora", "Prod-Reports"}},
		{"prod rep", []string{"Prod-Reports"}}, // every word must match
		{"pro", []string{"prod-aurora", "Prod-Reports"}},
		{"", []string{"prod-aurora", "orders-mysql", "Prod-Reports", "staging"}},
		{"zzz", nil},
		{"s", []string{"orders-mysql", "Prod-Reports", "staging"}},
	} {
		p.setFilter(tc.filter)
		if got := pickerShownIDs(&p); !slices.Equal(got, tc.want) {
			t.Errorf("filter %q shows %v, want %v", tc.filter, got, tc.want)
		}
	}
}

// TestPickerFilterKeepsCursor: narrowing keeps the highlighted item when
// it still matches.
func TestPickerFilterKeepsCursor(t *testing.T) {
	p := pickerOf("a-1", "a-2", "b-1", "a-3")
	p.move(3) // a-3
	p.key(tea.KeyPressMsg{Code: 'a', Text: "a"})
	if it := p.current(); it == nil || it.id != "a-3" {
		t.Fatalf("cursor on %v, want a-3", it)
	}
	p.key(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	p.key(tea.KeyPressMsg{Code: '1', Text: "1"})
	if it := p.current(); it == nil || it.id != "a-1" {
		t.Fatalf("cursor on %v after a-3 was filtered out, want the first match a-1", it)
	}
	p.key(tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl}) // delete the word "1"
	if p.filter != "a " || len(p.shown) != 3 {
		t.Fatalf("after ctrl+w: filter %q, %d shown", p.filter, len(p.shown))
	}
	p.key(tea.KeyPressMsg{Code: tea.KeyBackspace})
	p.key(tea.KeyPressMsg{Code: tea.KeyBackspace})
	if p.filter != "" || len(p.shown) != 4 {
		t.Fatalf("after two backspaces: filter %q, %d shown", p.filter, len(p.shown))
	}
}

// TestPickerAppendUnderFilter: pages arriving while a filter is typed are
// filtered too, and the wanted item gets the cursor when it arrives.
func TestPickerAppendUnderFilter(t *testing.T) {
	p := pickerOf("x-1")
	p.want = "prod-9"
	p.setFilter("prod")
	var page []pickerItem
	for i := range 10 {
		id := fmt.Sprintf("prod-%d", i)
		page = append(page, pickerItem{id: id, cols: []string{id}, search: id})
	}
	p.add(page)
	if len(p.shown) != 10 {
		t.Fatalf("%d shown, want 10", len(p.shown))
	}
	if it := p.current(); it == nil || it.id != "prod-9" {
		t.Fatalf("cursor on %v, want prod-9", it)
	}
	// The view scrolled to keep it visible.
	if p.offset != 8 {
		t.Errorf("offset %d, want 8 (three rows: two items and the row saying how many more; cursor on the tenth)", p.offset)
	}
}

func TestPickerMultiSelect(t *testing.T) {
	p := newPicker(nil, []int{20}, true)
	p.setHeight(5)
	p.add([]pickerItem{{id: "a", search: "a one"}, {id: "b", search: "b two"}, {id: "c", search: "c one", disabled: "no"}, {id: "d", search: "d one"}})
	p.setFilter("one")
	p.toggleShown() // a and d; c is disabled
	if p.marked != 2 {
		t.Fatalf("marked %d, want 2", p.marked)
	}
	p.setFilter("")
	p.move(1) // b
	p.toggle()
	var got []string
	for _, it := range p.markedItems() {
		got = append(got, it.id)
	}
	if !slices.Equal(got, []string{"a", "b", "d"}) {
		t.Fatalf("marked %v", got)
	}
	if missing := p.markIDs([]string{"b", "zz"}); !slices.Equal(missing, []string{"zz"}) || p.marked != 1 {
		t.Fatalf("markIDs: missing %v, marked %d", missing, p.marked)
	}
}

// TestPickerViewFits: rows never exceed the width, and flex columns give
// way so the short reason of a disabled row stays visible.
func TestPickerViewFits(t *testing.T) {
	p := newPicker([]string{"ID", "ENGINE", "STATUS"}, []int{30, 40, 10}, false)
	p.flex = []int{1}
	p.setHeight(5)
	p.add([]pickerItem{
		{id: "a", cols: []string{"orders-mysql", "aurora-mysql 8.0.mysql_aurora.3.05.2", "available"}},
		{id: "b", cols: []string{"reporting", "aurora-postgresql 15.8", "stopped"}, disabled: "stopped"},
	})
	for _, width := range []int{60, 80, 120} {
		for _, l := range p.view(common.NewTheme(true, true), width) {
			if w := ansi.StringWidth(l); w > width {
				t.Errorf("width %d: row is %d wide: %q", width, w, ansi.Strip(l))
			}
		}
	}
	rows := p.view(common.NewTheme(true, true), 80)
	if !strings.Contains(ansi.Strip(rows[2]), "✗ stopped") {
		t.Errorf("the disabled reason is cut: %q", ansi.Strip(rows[2]))
	}
}

func TestPickerCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 20000: "20,000", 1234567: "1,234,567"} {
		if got := pickerCount(n); got != want {
			t.Errorf("pickerCount(%d) = %q, want %q", n, got, want)
		}
	}
}
