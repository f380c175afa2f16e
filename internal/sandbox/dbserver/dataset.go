package dbserver

import (
	"fmt"
	"strings"
)

// datasetVersion names the dataset and server configuration in template
// cache keys: bump it when either changes, so cached templates are rebuilt.
const datasetVersion = 2

// Rows per scale unit. At scale 1: 20,000 customers, 30,000 orders,
// 45,000 order items, 25,000 payments: 120,000 rows.
const (
	customersPerScale  = 20000
	ordersPerScale     = 30000
	orderItemsPerScale = 45000
	paymentsPerScale   = 25000
)

// RowCounts are the rows of each legacy table at a scale.
func RowCounts(scale int) map[string]int {
	if scale <= 0 {
		scale = 1
	}
	return map[string]int{
		"customers":   customersPerScale * scale,
		"orders":      ordersPerScale * scale,
		"order_items": orderItemsPerScale * scale,
		"payments":    paymentsPerScale * scale,
	}
}

var (
	firstNames = []string{"Anna", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jack",
		"Katja", "Liam", "Maria", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara",
		"Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoe", "Aoife", "Bjorn", "Carmen", "Dmitri"}
	lastNames = []string{"Smith", "Murphy", "Garcia", "Muller", "Rossi", "Dubois", "Novak", "Jensen", "Silva", "Kowalski",
		"Brown", "O'Brien", "Fernandez", "Schmidt", "Russo", "Martin", "Horvat", "Larsen", "Costa", "Nowak",
		"Wilson", "Kelly", "Lopez", "Weber", "Bianchi", "Bernard", "Kovac", "Nielsen", "Santos", "Wisniewski"}
	statuses = []string{"new", "paid", "shipped", "cancelled", "refunded", "shipped", "paid", "SHIPPED "}
	products = []string{"Widget", "Gadget", "Sprocket", "Gizmo", "Doohickey", "Thingamajig", "Whatsit", "Contraption"}
)

// dialect is what differs between PostgreSQL and MariaDB in the dataset's
// SQL; everything else is written once.
type dialect struct {
	schema  string             // "legacy."
	series  func(n int) string // FROM clause yielding column i = 1..n
	pick    func(idx string, list []string) string
	text    func(expr string) string       // number to text
	days    func(base, expr string) string // date base + expr days
	seconds func(base, expr string) string // timestamp base + expr seconds
	dmy     func(date string) string       // date as DD/MM/YYYY text
	serial  string                         // id column type
	money   string
	textT   string // variable text column type
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return strings.Join(q, ", ")
}

var pgDialect = dialect{
	schema: "legacy.",
	series: func(n int) string { return fmt.Sprintf("generate_series(1::bigint, %d) AS g(i)", n) },
	pick: func(idx string, list []string) string {
		return fmt.Sprintf("(ARRAY[%s])[(1 + ((%s) %% %d))::int]", quoteList(list), idx, len(list))
	},
	text:    func(e string) string { return "(" + e + ")::text" },
	days:    func(b, e string) string { return fmt.Sprintf("(DATE '%s' + (%s)::int)", b, e) },
	seconds: func(b, e string) string { return fmt.Sprintf("(TIMESTAMP '%s' + (%s) * INTERVAL '1 second')", b, e) },
	dmy:     func(d string) string { return "to_char(" + d + ", 'DD/MM/YYYY')" },
	serial:  "bigint PRIMARY KEY", money: "numeric(12,2)", textT: "text",
}

var mariaDialect = dialect{
	schema: "legacy.",
	series: func(n int) string { return fmt.Sprintf("(SELECT seq AS i FROM legacy.seq_1_to_%d) AS g", n) },
	pick: func(idx string, list []string) string {
		return fmt.Sprintf("ELT(1 + ((%s) %% %d), %s)", idx, len(list), quoteList(list))
	},
	text:    func(e string) string { return "CAST((" + e + ") AS CHAR)" },
	days:    func(b, e string) string { return fmt.Sprintf("DATE_ADD(DATE '%s', INTERVAL (%s) DAY)", b, e) },
	seconds: func(b, e string) string { return fmt.Sprintf("(TIMESTAMP '%s 00:00:00' + INTERVAL (%s) SECOND)", b, e) },
	dmy:     func(d string) string { return "DATE_FORMAT(" + d + ", '%d/%m/%Y')" },
	serial:  "bigint NOT NULL PRIMARY KEY", money: "decimal(12,2)", textT: "varchar(255)",
}

// dataset is the legacy schema with its dirt, as the statements that make
// it; deterministic for a scale. The schema itself ("legacy") exists.
func dataset(d dialect, scale int) []string {
	if scale <= 0 {
		scale = 1
	}
	n := RowCounts(scale)
	s := d.schema
	// j is the customer a row describes: every 50th row repeats the one
	// before it, with its e-mail in capitals (a duplicate customer).
	j := "(CASE WHEN i % 50 = 0 THEN i - 1 ELSE i END)"
	first, last := d.pick(j+" * 7", firstNames), d.pick(j+" * 13", lastNames)
	return []string{
		fmt.Sprintf(`CREATE TABLE %scustomers (
  id %s,
  full_name %s NOT NULL,
  email %s,
  phone %s,
  date_of_birth date,
  national_id %s,
  created_at timestamp NOT NULL
)`, s, d.serial, d.textT, d.textT, d.textT, d.textT),
		// Dirt: duplicates differing in e-mail case, NULL e-mails, phones
		// and birth dates, trailing spaces in names.
		fmt.Sprintf(`INSERT INTO %scustomers (id, full_name, email, phone, date_of_birth, national_id, created_at)
SELECT i,
  concat(%s, ' ', %s, CASE WHEN %s %% 17 = 0 THEN '  ' ELSE '' END),
  CASE WHEN %s %% 97 = 0 THEN NULL
       WHEN i %% 50 = 0 THEN upper(concat(%s, '.', %s, %s, '@example.com'))
       ELSE lower(concat(%s, '.', %s, %s, '@example.com')) END,
  CASE WHEN %s %% 11 = 0 THEN NULL ELSE concat('+44 7', lpad(%s, 9, '0')) END,
  CASE WHEN %s %% 23 = 0 THEN NULL ELSE %s END,
  concat('NI', lpad(%s, 6, '0'), %s),
  %s
FROM %s`, s, first, last, j, j, first, last, d.text(j), first, last, d.text(j),
			j, d.text("("+j+" * 7919) % 1000000000"), j, d.days("1940-01-01", "("+j+" * 37) % 22000"),
			d.text("("+j+" * 104729) % 1000000"), d.pick(j, []string{"A", "B", "C", "D"}),
			d.seconds("2014-01-01", "(i * 4793) % 283824000"), d.series(n["customers"])),

		fmt.Sprintf(`CREATE TABLE %sorders (
  id %s,
  customer_id bigint,
  order_date %s,
  status %s,
  total_amount %s,
  notes %s
)`, s, d.serial, d.textT, d.textT, d.money, d.textT),
		// Dirt: dates as text in two formats and sometimes missing,
		// statuses with trailing spaces and odd case.
		fmt.Sprintf(`INSERT INTO %sorders (id, customer_id, order_date, status, total_amount, notes)
SELECT i, 1 + (i * 31) %% %d,
  CASE WHEN i %% 101 = 0 THEN NULL
       WHEN i %% 3 = 0 THEN %s
       ELSE %s END,
  %s,
  ROUND(((i * 7919) %% 50000) / 100.0 + 1, 2),
  CASE WHEN i %% 13 = 0 THEN 'call before delivery ' ELSE NULL END
FROM %s`, s, n["customers"], d.dmy(d.days("2016-01-01", "(i * 17) % 3300")), d.text(d.days("2016-01-01", "(i * 17) % 3300")),
			d.pick("i", statuses), d.series(n["orders"])),
		fmt.Sprintf("CREATE INDEX orders_customer_id ON %sorders (customer_id)", s),

		fmt.Sprintf(`CREATE TABLE %sorder_items (
  id %s,
  order_id bigint,
  product_sku %s,
  product_name %s,
  quantity integer,
  unit_price %s
)`, s, d.serial, d.textT, d.textT, d.money),
		// Dirt: items of orders that do not exist (every 90th), NULL
		// quantities.
		fmt.Sprintf(`INSERT INTO %sorder_items (id, order_id, product_sku, product_name, quantity, unit_price)
SELECT i,
  CASE WHEN i %% 90 = 0 THEN %d + i ELSE 1 + (i * 17) %% %d END,
  concat('SKU-', lpad(%s, 5, '0')),
  %s,
  CASE WHEN i %% 199 = 0 THEN NULL ELSE 1 + i %% 5 END,
  ROUND(((i * 104729) %% 20000) / 100.0 + 0.5, 2)
FROM %s`, s, n["orders"], n["orders"], d.text("(i * 37) % 2000"), d.pick("i * 3", products), d.series(n["order_items"])),
		fmt.Sprintf("CREATE INDEX order_items_order_id ON %sorder_items (order_id)", s),

		fmt.Sprintf(`CREATE TABLE %spayments (
  id %s,
  order_id bigint,
  amount %s,
  method %s,
  card_last4 %s,
  iban %s,
  paid_at timestamp
)`, s, d.serial, d.money, d.textT, d.textT, d.textT),
		fmt.Sprintf(`INSERT INTO %spayments (id, order_id, amount, method, card_last4, iban, paid_at)
SELECT i, 1 + (i * 7) %% %d,
  ROUND(((i * 7919) %% 50000) / 100.0 + 1, 2),
  CASE WHEN i %% 4 = 0 THEN 'sepa' ELSE 'card' END,
  CASE WHEN i %% 4 = 0 THEN NULL ELSE lpad(%s, 4, '0') END,
  CASE WHEN i %% 4 = 0 THEN concat(%s, lpad(%s, 2, '0'), 'BANK', lpad(%s, 14, '0')) ELSE NULL END,
  CASE WHEN i %% 61 = 0 THEN NULL ELSE %s END
FROM %s`, s, n["orders"], d.text("(i * 7919) % 10000"), d.pick("i", []string{"DE", "FR", "NL", "IE", "ES"}),
			d.text("(i * 31) % 97"), d.text("(i * 1000003) % 100000000000000"), d.seconds("2016-01-01", "(i * 3571) % 283824000"),
			d.series(n["payments"])),

		fmt.Sprintf(`CREATE VIEW %scustomer_order_totals AS
SELECT c.id AS customer_id, c.full_name, c.email, COUNT(o.id) AS orders, SUM(o.total_amount) AS total_spent
FROM %scustomers c LEFT JOIN %sorders o ON o.customer_id = c.id
GROUP BY c.id, c.full_name, c.email`, s, s, s),
		fmt.Sprintf("CREATE SEQUENCE %sinvoice_number_seq START WITH 100000 INCREMENT BY 1", s),
	}
}

func pgDataset(scale int) []string { return dataset(pgDialect, scale) }
