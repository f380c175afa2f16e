package sandbox

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
type params url.Values

func (p params) get(k string) string {
	if v := p[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// has reports whether the key was sent at all, even empty.
func (p params) has(k string) bool {
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
func (p params) list(prefix string) []string {
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
// each as its own params with the prefix and index stripped, in index order.
func (p params) structs(prefix string) []params {
	byIdx := map[int]params{}
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
			byIdx[i] = params{}
		}
		byIdx[i][tail] = vs
	}
	idx := make([]int, 0, len(byIdx))
	for i := range byIdx {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	out := make([]params, len(idx))
	for j, i := range idx {
		out[j] = byIdx[i]
	}
	return out
}

// filter is one Name/Values filter of a Describe call.
type filter struct {
	name   string
	values []string
}

// filters reads RDS (Filters.Filter.N.Name, Values.Value.M) and EC2
// (Filter.N.Name, Value.M) filters; prefix and valuesKey name the lists.
func (p params) filters(prefix, valuesKey string) []filter {
	var out []filter
	for _, f := range p.structs(prefix) {
		out = append(out, filter{name: f.get("Name"), values: f.list(valuesKey)})
	}
	return out
}

// matchFilters applies AWS filter semantics: every filter must match (AND)
// and any of its values may (OR). field gives the item's values for a filter
// name; match compares a wanted value with one of them (EC2 passes glob, for
// its * and ? wildcards).
func matchFilters(fs []filter, match func(want, have string) bool, field func(name string) []string) bool {
	for _, f := range fs {
		have := field(f.name)
		if !slices.ContainsFunc(f.values, func(want string) bool {
			return slices.ContainsFunc(have, func(v string) bool { return match(want, v) })
		}) {
			return false
		}
	}
	return true
}

func equal(want, have string) bool { return want == have }

// intParam reads an optional integer; ok is false when it is absent.
func (p params) intParam(k string) (n int, present bool, err *apiError) {
	v := p.get(k)
	if v == "" {
		return 0, false, nil
	}
	n, e := strconv.Atoi(v)
	if e != nil {
		return 0, true, errf(400, "InvalidParameterValue", "Invalid value %q for %s: not an integer.", v, k)
	}
	return n, true, nil
}

func (p params) boolParam(k string) (v, present bool) {
	s := p.get(k)
	if s == "" {
		return false, false
	}
	return strings.EqualFold(s, "true"), true
}

// apiError is an AWS error response: HTTP status, error code and message.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// xmlw builds an XML document by hand: the responses are large (tens of
// thousands of subnets) and their element names and order follow the AWS
// models, which struct tags would only restate.
type xmlw struct{ b []byte }

func (w *xmlw) open(tag string)  { w.b = append(append(append(w.b, '<'), tag...), '>') }
func (w *xmlw) close(tag string) { w.b = append(append(append(w.b, "</"...), tag...), '>') }

// empty writes an element with nothing in it: AWS sends empty lists and
// structures rather than leave them out.
func (w *xmlw) empty(tag string) { w.open(tag); w.close(tag) }

// text writes an element even when v is empty.
func (w *xmlw) text(tag, v string) {
	w.open(tag)
	w.b = appendEscaped(w.b, v)
	w.close(tag)
}

// opt writes an element only when v is not empty, as AWS leaves out unset
// members.
func (w *xmlw) opt(tag, v string) {
	if v != "" {
		w.text(tag, v)
	}
}

func (w *xmlw) boolean(tag string, v bool) { w.text(tag, strconv.FormatBool(v)) }
func (w *xmlw) integer(tag string, v int)  { w.text(tag, strconv.Itoa(v)) }
func (w *xmlw) float(tag string, v float64) {
	w.text(tag, strconv.FormatFloat(v, 'f', -1, 64))
}

// time writes an ISO 8601 UTC timestamp with milliseconds, AWS's format;
// the zero time is left out.
func (w *xmlw) time(tag string, t time.Time) {
	if !t.IsZero() {
		w.text(tag, isoTime(t))
	}
}

// strings writes a list of strings, each in an element named item.
func (w *xmlw) strings(tag, item string, vs []string) {
	w.open(tag)
	for _, v := range vs {
		w.text(item, v)
	}
	w.close(tag)
}

// xmlList writes <tag> holding one <item> element per value, body writing
// what goes inside each.
func xmlList[T any](x *xmlw, tag, item string, vs []T, body func(T)) {
	x.open(tag)
	for _, v := range vs {
		x.open(item)
		body(v)
		x.close(item)
	}
	x.close(tag)
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

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
func encodeToken(key string) string { return base64.RawURLEncoding.EncodeToString([]byte("k1:" + key)) }

func decodeToken(tok string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(b), "k1:")
}

// pageByKey returns up to max items after the one whose key the token
// names. items must be sorted by key. ok is false for a token that is not
// one of ours.
func pageByKey[T any](items []T, key func(T) string, token string, max int) (page []T, next string, ok bool) {
	start := 0
	if token != "" {
		after, valid := decodeToken(token)
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
		next = encodeToken(key(page[len(page)-1]))
	}
	return page, next, true
}

// page is pageByKey for handlers: bad makes the service's own error for a
// token that is not one of ours.
func page[T any](items []T, key func(T) string, token string, max int, bad func() *apiError) ([]T, string, *apiError) {
	pg, next, ok := pageByKey(items, key, token, max)
	if !ok {
		return nil, "", bad()
	}
	return pg, next, nil
}

// newUUID returns a random RFC 4122 version 4 UUID, the shape of AWS request
// ids, stack ids and event ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// randomSuffix returns n random characters from alphabet, for the generated
// parts of names CloudFormation and RDS make up.
func randomSuffix(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

// glob matches EC2 filter values, where * and ? are wildcards (and a
// backslash escapes them); unlike path.Match it lets * span "/", which CIDRs
// contain.
func glob(pattern, s string) bool {
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
