package wizard

// markedItems returns the marked items in list order: the tests read the
// selection through it.
func (p *picker) markedItems() []*pickerItem {
	out := make([]*pickerItem, 0, p.marked)
	for i := range p.items {
		if p.items[i].marked {
			out = append(out, &p.items[i])
		}
	}
	return out
}
