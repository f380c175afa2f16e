package wire

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// params are the form values of a Query or EC2-protocol request.
type Params url.Values

func (p Params) Get(k string) string {
	if v := p[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// has reports whether the key was sent at all, even empty.
func (p Params) Has(k string) bool {
	_, ok := p[k]
	return ok
}

// listIndex splits the part of a key after a list prefix into its 1-based
// index and the rest. Both wire shapes are accepted, because the models
// differ per service: "N[.rest]" (EC2, flattened) and "Word.N[.rest]"
// (Query: "member" or the model's locationName, e.g. Filters.Filter.1).
func listIndex(rest string) (idx int, tail string, ok bool) {
	head, after, _ := strings.Cut(rest, ".")
	if n, err := strconv.Atoi(head); err == nil && n > 0 {
		return n, after, true
	}
	head, after, _ = strings.Cut(after, ".")
	if n, err := strconv.Atoi(head); err == nil && n > 0 {
		return n, after, true
	}
	return 0, "", false
}

// list returns the values of a list of strings sent under prefix, in index
// order.
func (p Params) List(prefix string) []string {
	type kv struct {
		i int
		v string
	}
	var items []kv
	for k, vs := range p {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok || len(vs) == 0 {
			continue
		}
		if i, tail, ok := listIndex(rest); ok && tail == "" {
			items = append(items, kv{i, vs[0]})
		}
	}
	slices.SortFunc(items, func(a, b kv) int { return a.i - b.i })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// structs returns the members of a list of structures sent under prefix,
// each as its own Params with the prefix and index stripped, in index order.
func (p Params) Structs(prefix string) []Params {
	byIdx := map[int]Params{}
	for k, vs := range p {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		i, tail, ok := listIndex(rest)
		if !ok || tail == "" {
			continue
		}
		if byIdx[i] == nil {
			byIdx[i] = Params{}
		}
		byIdx[i][tail] = vs
	}
	idx := make([]int, 0, len(byIdx))
	for i := range byIdx {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	out := make([]Params, len(idx))
	for j, i := range idx {
		out[j] = byIdx[i]
	}
	return out
}

// filter is one Name/Values filter of a Describe call.
type Filter struct {
	Name   string
	Values []string
}

// filters reads RDS (Filters.Filter.N.Name, Values.Value.M) and EC2
// (Filter.N.Name, Value.M) filters; prefix and valuesKey name the lists.
func (p Params) Filters(prefix, valuesKey string) []Filter {
	var out []Filter
	for _, f := range p.Structs(prefix) {
		out = append(out, Filter{Name: f.Get("Name"), Values: f.List(valuesKey)})
	}
	return out
}

// MatchFilters applies AWS filter semantics: every filter must match (AND)
// and any of its values may (OR). field gives the item's values for a filter
// name; match compares a wanted value with one of them (EC2 passes Glob, for
// its * and ? wildcards).
func MatchFilters(fs []Filter, match func(want, have string) bool, field func(name string) []string) bool {
	for _, f := range fs {
		have := field(f.Name)
		if !slices.ContainsFunc(f.Values, func(want string) bool {
			return slices.ContainsFunc(have, func(v string) bool { return match(want, v) })
		}) {
			return false
		}
	}
	return true
}

func Equal(want, have string) bool { return want == have }

// intParam reads an optional integer; ok is false when it is absent.
func (p Params) Int(k string) (n int, present bool, err *APIError) {
	v := p.Get(k)
	if v == "" {
		return 0, false, nil
	}
	n, e := strconv.Atoi(v)
	if e != nil {
		return 0, true, Errorf(400, "InvalidParameterValue", "Invalid value %q for %s: not an integer.", v, k)
	}
	return n, true, nil
}

func (p Params) Bool(k string) (v, present bool) {
	s := p.Get(k)
	if s == "" {
		return false, false
	}
	return strings.EqualFold(s, "true"), true
}

// APIError is an AWS error response: HTTP status, error code and message.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func Errorf(status int, code, format string, args ...any) *APIError {
	return &APIError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// XML builds an XML document by hand: the responses are large (tens of
// thousands of subnets) and their element names and order follow the AWS
// models, which struct tags would only restate.
type XML struct{ b []byte }

func (w *XML) Open(tag string)  { w.b = append(append(append(w.b, '<'), tag...), '>') }
func (w *XML) Close(tag string) { w.b = append(append(append(w.b, "</"...), tag...), '>') }

// empty writes an element with nothing in it: AWS sends empty lists and
// structures rather than leave them out.
func (w *XML) Empty(tag string) { w.Open(tag); w.Close(tag) }

// text writes an element even when v is empty.
func (w *XML) Text(tag, v string) {
	w.Open(tag)
	w.b = appendEscaped(w.b, v)
	w.Close(tag)
}

// opt writes an element only when v is not empty, as AWS leaves out unset
// members.
func (w *XML) Opt(tag, v string) {
	if v != "" {
		w.Text(tag, v)
	}
}

func (w *XML) Bool(tag string, v bool) { w.Text(tag, strconv.FormatBool(v)) }
func (w *XML) Int(tag string, v int)   { w.Text(tag, strconv.Itoa(v)) }
func (w *XML) Float(tag string, v float64) {
	w.Text(tag, strconv.FormatFloat(v, 'f', -1, 64))
}

// time writes an ISO 8601 UTC timestamp with milliseconds, AWS's format;
// the zero time is left out.
func (w *XML) Time(tag string, t time.Time) {
	if !t.IsZero() {
		w.Text(tag, ISOTime(t))
	}
}

// strings writes a list of strings, each in an element named item.
func (w *XML) Strings(tag, item string, vs []string) {
	w.Open(tag)
	for _, v := range vs {
		w.Text(item, v)
	}
	w.Close(tag)
}

// List writes <tag> holding one <item> element per value, body writing
// what goes inside each.
func List[T any](x *XML, tag, item string, vs []T, body func(T)) {
	x.Open(tag)
	for _, v := range vs {
		x.Open(item)
		body(v)
		x.Close(item)
	}
	x.Close(tag)
}

func ISOTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '"':
			b = append(b, "&quot;"...)
		case '\'':
			b = append(b, "&apos;"...)
		case '\r':
			b = append(b, "&#xD;"...)
		case '\n':
			b = append(b, "&#xA;"...)
		case '\t':
			b = append(b, "&#x9;"...)
		default:
			if c < 0x20 {
				continue // not representable in XML 1.0
			}
			b = append(b, c)
		}
	}
	return b
}

// Page tokens are opaque to clients, as AWS's are: base64 of the sort key of
// the last item returned. Keying on the item rather than an offset keeps
// paging stable while the CloudFormation side adds or removes resources.
func EncodeToken(key string) string { return base64.RawURLEncoding.EncodeToString([]byte("k1:" + key)) }

func DecodeToken(tok string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(b), "k1:")
}

// PageByKey returns up to max items after the one whose key the token
// names. items must be sorted by key. ok is false for a token that is not
// one of ours.
func PageByKey[T any](items []T, key func(T) string, token string, max int) (page []T, next string, ok bool) {
	start := 0
	if token != "" {
		after, valid := DecodeToken(token)
		if !valid {
			return nil, "", false
		}
		start, _ = slices.BinarySearchFunc(items, after, func(it T, k string) int { return strings.Compare(key(it), k) })
		if start < len(items) && key(items[start]) == after {
			start++
		}
	}
	end := len(items)
	if max < end-start { // not start+max: max may be MaxInt
		end = start + max
	}
	page = items[start:end]
	if end < len(items) && len(page) > 0 {
		next = EncodeToken(key(page[len(page)-1]))
	}
	return page, next, true
}

// page is PageByKey for handlers: bad makes the service's own error for a
// token that is not one of ours.
func Page[T any](items []T, key func(T) string, token string, max int, bad func() *APIError) ([]T, string, *APIError) {
	pg, next, ok := PageByKey(items, key, token, max)
	if !ok {
		return nil, "", bad()
	}
	return pg, next, nil
}

// NewUUID returns a random RFC 4122 version 4 UUID, the shape of AWS request
// ids, stack ids and event ids.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// RandomSuffix returns n random characters from alphabet, for the generated
// parts of names CloudFormation and RDS make up.
func RandomSuffix(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

const (
	LowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	UpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

// Glob matches EC2 filter values, where * and ? are wildcards (and a
// backslash escapes them); unlike path.Match it lets * span "/", which CIDRs
// contain.
func Glob(pattern, s string) bool {
	if !strings.ContainsAny(pattern, `*?\`) {
		return pattern == s
	}
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				nextPx, nextSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			default:
				if c == '\\' && px+1 < len(pattern) {
					c = pattern[px+1]
					if sx < len(s) && s[sx] == c {
						px += 2
						sx++
						continue
					}
				} else if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if nextSx > 0 && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}
