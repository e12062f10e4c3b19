// The variable catalogue: the values a notification template can use, computed from the order and event.
// Merchants map their template's placeholders to these keys (seed 002's list, plus order basics).
import type { NormalizedEvent, OrderSnapshot } from '../events/model.js';

export interface VariableDefinition {
  key: string;
  label: string;
  sample: string;
}

export const variableCatalogue: VariableDefinition[] = [
  { key: 'customer_order_id', label: 'Customer order ID', sample: 'ORD123456' },
  { key: 'brand', label: 'Brand', sample: 'KapasKraft' },
  { key: 'sku', label: 'SKU', sample: 'KK-TSHIRT-M-WHT' },
  { key: 'gtin', label: 'GTIN', sample: '00012345678905' },
  { key: 'ean', label: 'EAN', sample: '4006381333931' },
  { key: 'upc', label: 'UPC', sample: '012345678905' },
  { key: 'product_title', label: 'Product title', sample: 'Classic White T-Shirt' },
  { key: 'customer_name', label: 'Customer name', sample: 'Asha Verma' },
  { key: 'customer_phone', label: 'Customer phone number', sample: '+919876543210' },
  { key: 'address_lines', label: 'Address Line 1 and 2', sample: '12 MG Road, Flat 4B' },
  { key: 'city', label: 'City', sample: 'Bengaluru' },
  { key: 'state', label: 'State', sample: 'Karnataka' },
  { key: 'pincode', label: 'Pincode', sample: '560001' },
  { key: 'payment_method', label: 'Payment method', sample: 'Cash on delivery' },
  { key: 'invoice', label: 'Invoice', sample: 'INV-2024-00042' },
  { key: 'item_quantity', label: 'Quantity of items in an order', sample: '2' },
  { key: 'refund_amount', label: 'Refund amount', sample: '₹499.00' },
  { key: 'order_total', label: 'Order total', sample: '₹998.00' },
  { key: 'order_status_url', label: 'Order status link', sample: 'https://shop.example/orders/ORD123456' },
  { key: 'tracking_number', label: 'Tracking number', sample: '82616846149' },
  { key: 'tracking_url', label: 'Tracking link', sample: 'https://track.example/82616846149' },
  { key: 'shipment_status', label: 'Shipment status', sample: 'in transit' },
  { key: 'points', label: 'Points received or used', sample: '120' },
  { key: 'points_balance', label: 'Points balance', sample: '860' },
  { key: 'credit_amount', label: 'Reward credit amount', sample: 'NT$100' },
  { key: 'coupon_code', label: 'Coupon code', sample: 'THANKYOU10' },
  { key: 'coupon_value', label: 'Coupon value', sample: '10% off' },
];

export const variableKeys = new Set(variableCatalogue.map((v) => v.key));

const shipmentEvents = new Set(['order.shipped', 'order.out_for_delivery', 'order.delivery_failed', 'order.delivered', 'shipment.updated', 'return.created', 'return.restocked']);
const eventOnly: Record<string, (eventType: string) => boolean> = {
  tracking_number: (t) => shipmentEvents.has(t),
  tracking_url: (t) => shipmentEvents.has(t),
  shipment_status: (t) => shipmentEvents.has(t),
  refund_amount: (t) => t === 'order.refunded' || t.startsWith('return.'),
  points: (t) => t.startsWith('points.'),
  points_balance: (t) => t.startsWith('points.'),
  credit_amount: (t) => t.startsWith('credits.'),
  coupon_code: (t) => t === 'coupon.issued',
  coupon_value: (t) => t === 'coupon.issued',
};

/** The variables an event of this type fills: the order's for every event, plus the event's own (tracking, points...). */
export function variablesFor(eventType: string): VariableDefinition[] {
  return variableCatalogue.filter((v) => eventOnly[v.key]?.(eventType) ?? true);
}

/** The default mapping for positional templates whose merchant did not map placeholders explicitly. */
export const defaultVariableOrder = ['customer_name', 'customer_order_id', 'order_total', 'order_status_url', 'tracking_number'];

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

export function formatMoney(amount: string | null | undefined, currency: string | null | undefined): string | null {
  if (amount == null || amount === '') return null;
  return currency ? `${amount} ${currency}` : amount;
}

/** Values for every catalogue key that the order and event can fill; missing ones are absent. */
export function computeVariables(event: NormalizedEvent, order: OrderSnapshot | null, brand: string): Record<string, string> {
  const out: Record<string, string> = { brand };
  const put = (key: string, value: string | null | undefined) => {
    if (value != null && value !== '') out[key] = value;
  };
  const data = event.data;
  // The order's or shipment's own brand (Eshopbox sends one per item) wins over the workspace's.
  put('brand', str(data['brand']));
  if (order) {
    const first = order.lines[0];
    put('customer_order_id', order.name);
    put('customer_name', order.customerName ?? order.shippingAddress?.name);
    put('customer_phone', order.phone);
    put('sku', first?.sku);
    put('product_title', first?.title);
    put('address_lines', [order.shippingAddress?.line1, order.shippingAddress?.line2].filter(Boolean).join(', '));
    put('city', order.shippingAddress?.city);
    put('state', order.shippingAddress?.state);
    put('pincode', order.shippingAddress?.postalCode);
    put('payment_method', order.paymentMethod);
    put('item_quantity', String(order.lines.reduce((n, l) => n + l.quantity, 0)));
    put('order_total', formatMoney(order.total?.amount, order.total?.currency));
    put('order_status_url', order.statusUrl);
  }
  put('gtin', str(data['gtin']));
  put('ean', str(data['ean']));
  put('upc', str(data['upc']));
  put('invoice', str(data['invoice']));
  put('refund_amount', formatMoney(str(data['refundAmount']), str(data['currency']) ?? order?.total?.currency));
  put('tracking_number', str(data['trackingNumber']));
  put('tracking_url', str(data['trackingUrl']));
  put('shipment_status', str(data['statusLabel']) ?? str(data['status']));
  put('points', str(typeof data['points'] === 'number' ? Math.abs(data['points']) : data['points']));
  put('points_balance', str(data['pointsBalance']));
  put('credit_amount', formatMoney(str(data['creditAmount']), str(data['currency'])));
  put('coupon_code', str(data['code']) ?? str(data['couponCode']));
  put('coupon_value', str(data['value']) ?? str(data['couponValue']));
  return out;
}

/** Fills a template body's {{placeholders}} for previews: positional {{1}} or named {{first_name}}. */
export function renderPlaceholders(body: string, values: Record<string, string>): string {
  return body.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}
