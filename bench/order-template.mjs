// The template source the benches write and edit: an order number, a date, a customer, a total and an items loop.

/**
 * `header`: the lines before `variables:` after slug and name (description, pageConfig); `customer`: variables
 * after `customer.name`; `more`: variables after `total`.
 */
export function orderTemplate({ slug, name, orderLabel, header = [], customer = [], more = [] }) {
  return [
    `slug: ${slug}`,
    `name: ${name}`,
    ...header,
    'variables:',
    `  order.number: { label: ${orderLabel}, dataType: text, required: true }`,
    '  order.date:   { label: Date, dataType: date }',
    '  customer.name: { label: Customer, dataType: text, required: true }',
    ...customer,
    '  total:        { label: Total, dataType: currency }',
    ...more,
    'loops:',
    '  items:',
    '    label: Items',
    '    itemFields:',
    '      sku:      { label: SKU, dataType: text, required: true }',
    '      quantity: { label: Qty, dataType: number }',
    '',
  ].join('\n')
}
