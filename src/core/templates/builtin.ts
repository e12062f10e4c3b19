// Built-in notification texts for channels without provider templates (Messenger, LINE, SMS, e-mail) and for
// merchants who have not written their own: one per notification type, in English, Traditional Chinese and
// Polish, written in Liquid over the variable catalogue (src/core/notifications/variables.ts).
import type { EventType } from '../events/model.js';

export const templateLocales = ['en', 'zh-Hant', 'pl'] as const;
export type TemplateLocale = (typeof templateLocales)[number];

export interface BuiltinText {
  /** The e-mail subject. */
  subject: string;
  /** The message: the whole text on chat channels and SMS, the body of an e-mail. */
  body: string;
}

type Catalogue = Record<EventType, BuiltinText>;

// Shared tails, so each text stays one line of intent.
const link = {
  en: '{% if order_status_url %} Details: {{ order_status_url }}{% endif %}',
  'zh-Hant': '{% if order_status_url %}詳情：{{ order_status_url }}{% endif %}',
  pl: '{% if order_status_url %} Szczegóły: {{ order_status_url }}{% endif %}',
};
const track = {
  en: '{% if tracking_number %} Tracking number: {{ tracking_number }}.{% endif %}{% if tracking_url %} Track it: {{ tracking_url }}{% endif %}',
  'zh-Hant': '{% if tracking_number %}物流單號：{{ tracking_number }}。{% endif %}{% if tracking_url %}追蹤：{{ tracking_url }}{% endif %}',
  pl: '{% if tracking_number %} Numer przesyłki: {{ tracking_number }}.{% endif %}{% if tracking_url %} Śledź: {{ tracking_url }}{% endif %}',
};
const hi = {
  en: 'Hi{% if customer_name %} {{ customer_name }}{% endif %},',
  'zh-Hant': '{% if customer_name %}{{ customer_name }} {% endif %}您好，',
  pl: 'Dzień dobry{% if customer_name %} {{ customer_name }}{% endif %},',
};

const en: Catalogue = {
  'order.placed': { subject: '{{ brand }}: order {{ customer_order_id }} received', body: `${hi.en} thank you for your order {{ customer_order_id }} at {{ brand }}{% if order_total %} ({{ order_total }}){% endif %}. We will let you know when it ships.${link.en}` },
  'order.paid': { subject: '{{ brand }}: payment for order {{ customer_order_id }} received', body: `${hi.en} we have received the payment for your order {{ customer_order_id }}{% if order_total %} ({{ order_total }}){% endif %}.${link.en}` },
  'order.packed': { subject: '{{ brand }}: order {{ customer_order_id }} is packed', body: `${hi.en} your order {{ customer_order_id }} from {{ brand }} is packed and will ship soon.${link.en}` },
  'order.shipped': { subject: '{{ brand }}: order {{ customer_order_id }} has shipped', body: `${hi.en} your order {{ customer_order_id }} from {{ brand }} is on its way.${track.en}` },
  'order.out_for_delivery': { subject: '{{ brand }}: order {{ customer_order_id }} is out for delivery', body: `${hi.en} your order {{ customer_order_id }} is out for delivery today.${track.en}` },
  'order.delivery_failed': { subject: '{{ brand }}: we could not deliver order {{ customer_order_id }}', body: `${hi.en} the courier could not deliver your order {{ customer_order_id }}. Reply to choose what we do next: re-attempt, another date, a new address or phone, or cancel.${track.en}` },
  'order.delivered': { subject: '{{ brand }}: order {{ customer_order_id }} delivered', body: `${hi.en} your order {{ customer_order_id }} has been delivered. Enjoy, and thank you for shopping at {{ brand }}!` },
  'order.cancelled': { subject: '{{ brand }}: order {{ customer_order_id }} cancelled', body: `${hi.en} your order {{ customer_order_id }} at {{ brand }} has been cancelled.${link.en}` },
  'order.refunded': { subject: '{{ brand }}: refund for order {{ customer_order_id }}', body: `${hi.en} we have refunded {% if refund_amount %}{{ refund_amount }}{% else %}your payment{% endif %} for order {{ customer_order_id }}. It may take a few days to appear.` },
  'return.created': { subject: '{{ brand }}: return for order {{ customer_order_id }} created', body: `${hi.en} we have registered your return for order {{ customer_order_id }}. We will tell you when it reaches us.` },
  'return.restocked': { subject: '{{ brand }}: return for order {{ customer_order_id }} received', body: `${hi.en} your return for order {{ customer_order_id }} has reached us and been checked.{% if refund_amount %} Refund: {{ refund_amount }}.{% endif %}` },
  'shipment.updated': { subject: '{{ brand }}: update on order {{ customer_order_id }}', body: `${hi.en} there is news about the delivery of order {{ customer_order_id }}{% if shipment_status %}: {{ shipment_status }}{% endif %}.${track.en}` },
  'points.earned': { subject: '{{ brand }}: you received {{ points }} points', body: `${hi.en} you received {{ points }} points at {{ brand }}.{% if points_balance %} Your balance: {{ points_balance }} points.{% endif %}` },
  'points.spent': { subject: '{{ brand }}: you used {{ points }} points', body: `${hi.en} you used {{ points }} points at {{ brand }}.{% if points_balance %} Your balance: {{ points_balance }} points.{% endif %}` },
  'credits.earned': { subject: '{{ brand }}: reward credits received', body: `${hi.en} you received {{ credit_amount }} in reward credits at {{ brand }}.` },
  'credits.spent': { subject: '{{ brand }}: reward credits used', body: `${hi.en} you used {{ credit_amount }} in reward credits at {{ brand }}.` },
  'coupon.issued': { subject: '{{ brand }}: a coupon for you', body: `${hi.en} here is your coupon from {{ brand }}: {{ coupon_code }}{% if coupon_value %} ({{ coupon_value }}){% endif %}.` },
  'account.linked': { subject: '{{ brand }}: account linked', body: `${hi.en} your {{ brand }} account is now linked to this chat. You will get your order updates here.` },
};

const zhHant: Catalogue = {
  'order.placed': { subject: '{{ brand }}：已收到訂單 {{ customer_order_id }}', body: `${hi['zh-Hant']}感謝您在 {{ brand }} 訂購，訂單編號 {{ customer_order_id }}{% if order_total %}（{{ order_total }}）{% endif %}。出貨時我們會再通知您。${link['zh-Hant']}` },
  'order.paid': { subject: '{{ brand }}：訂單 {{ customer_order_id }} 已付款', body: `${hi['zh-Hant']}我們已收到訂單 {{ customer_order_id }} 的款項{% if order_total %}（{{ order_total }}）{% endif %}。${link['zh-Hant']}` },
  'order.packed': { subject: '{{ brand }}：訂單 {{ customer_order_id }} 已包裝', body: `${hi['zh-Hant']}您在 {{ brand }} 的訂單 {{ customer_order_id }} 已包裝完成，即將出貨。${link['zh-Hant']}` },
  'order.shipped': { subject: '{{ brand }}：訂單 {{ customer_order_id }} 已出貨', body: `${hi['zh-Hant']}您在 {{ brand }} 的訂單 {{ customer_order_id }} 已出貨。${track['zh-Hant']}` },
  'order.out_for_delivery': { subject: '{{ brand }}：訂單 {{ customer_order_id }} 配送中', body: `${hi['zh-Hant']}您的訂單 {{ customer_order_id }} 今天配送中。${track['zh-Hant']}` },
  'order.delivery_failed': { subject: '{{ brand }}：訂單 {{ customer_order_id }} 配送失敗', body: `${hi['zh-Hant']}物流未能送達您的訂單 {{ customer_order_id }}。請回覆選擇：重新配送、改期、更新地址或電話，或取消訂單。${track['zh-Hant']}` },
  'order.delivered': { subject: '{{ brand }}：訂單 {{ customer_order_id }} 已送達', body: `${hi['zh-Hant']}您的訂單 {{ customer_order_id }} 已送達，感謝您在 {{ brand }} 購物！` },
  'order.cancelled': { subject: '{{ brand }}：訂單 {{ customer_order_id }} 已取消', body: `${hi['zh-Hant']}您在 {{ brand }} 的訂單 {{ customer_order_id }} 已取消。${link['zh-Hant']}` },
  'order.refunded': { subject: '{{ brand }}：訂單 {{ customer_order_id }} 已退款', body: `${hi['zh-Hant']}訂單 {{ customer_order_id }} 已退款{% if refund_amount %} {{ refund_amount }}{% endif %}，款項可能需要數天才會入帳。` },
  'return.created': { subject: '{{ brand }}：訂單 {{ customer_order_id }} 退貨已成立', body: `${hi['zh-Hant']}訂單 {{ customer_order_id }} 的退貨申請已登記，收到商品後會再通知您。` },
  'return.restocked': { subject: '{{ brand }}：已收到訂單 {{ customer_order_id }} 的退貨', body: `${hi['zh-Hant']}我們已收到並檢查訂單 {{ customer_order_id }} 的退貨。{% if refund_amount %}退款金額：{{ refund_amount }}。{% endif %}` },
  'shipment.updated': { subject: '{{ brand }}：訂單 {{ customer_order_id }} 物流更新', body: `${hi['zh-Hant']}訂單 {{ customer_order_id }} 的配送狀態有更新{% if shipment_status %}：{{ shipment_status }}{% endif %}。${track['zh-Hant']}` },
  'points.earned': { subject: '{{ brand }}：您獲得 {{ points }} 點', body: `${hi['zh-Hant']}您在 {{ brand }} 獲得 {{ points }} 點紅利。{% if points_balance %}目前餘額：{{ points_balance }} 點。{% endif %}` },
  'points.spent': { subject: '{{ brand }}：您已使用 {{ points }} 點', body: `${hi['zh-Hant']}您在 {{ brand }} 使用了 {{ points }} 點紅利。{% if points_balance %}目前餘額：{{ points_balance }} 點。{% endif %}` },
  'credits.earned': { subject: '{{ brand }}：您獲得購物金', body: `${hi['zh-Hant']}您在 {{ brand }} 獲得購物金 {{ credit_amount }}。` },
  'credits.spent': { subject: '{{ brand }}：您已使用購物金', body: `${hi['zh-Hant']}您在 {{ brand }} 使用了購物金 {{ credit_amount }}。` },
  'coupon.issued': { subject: '{{ brand }}：送您一張優惠券', body: `${hi['zh-Hant']}這是 {{ brand }} 送您的優惠券：{{ coupon_code }}{% if coupon_value %}（{{ coupon_value }}）{% endif %}。` },
  'account.linked': { subject: '{{ brand }}：帳號已綁定', body: `${hi['zh-Hant']}您的 {{ brand }} 會員帳號已與此聊天綁定，之後的訂單通知會在這裡發送。` },
};

const pl: Catalogue = {
  'order.placed': { subject: '{{ brand }}: otrzymaliśmy zamówienie {{ customer_order_id }}', body: `${hi.pl} dziękujemy za zamówienie {{ customer_order_id }} w {{ brand }}{% if order_total %} ({{ order_total }}){% endif %}. Damy znać, gdy zostanie wysłane.${link.pl}` },
  'order.paid': { subject: '{{ brand }}: zamówienie {{ customer_order_id }} opłacone', body: `${hi.pl} otrzymaliśmy płatność za zamówienie {{ customer_order_id }}{% if order_total %} ({{ order_total }}){% endif %}.${link.pl}` },
  'order.packed': { subject: '{{ brand }}: zamówienie {{ customer_order_id }} spakowane', body: `${hi.pl} Twoje zamówienie {{ customer_order_id }} z {{ brand }} jest spakowane i wkrótce zostanie wysłane.${link.pl}` },
  'order.shipped': { subject: '{{ brand }}: zamówienie {{ customer_order_id }} wysłane', body: `${hi.pl} Twoje zamówienie {{ customer_order_id }} z {{ brand }} jest w drodze.${track.pl}` },
  'order.out_for_delivery': { subject: '{{ brand }}: zamówienie {{ customer_order_id }} w doręczeniu', body: `${hi.pl} kurier doręcza dziś Twoje zamówienie {{ customer_order_id }}.${track.pl}` },
  'order.delivery_failed': { subject: '{{ brand }}: nie udało się doręczyć zamówienia {{ customer_order_id }}', body: `${hi.pl} kurier nie doręczył zamówienia {{ customer_order_id }}. Odpowiedz, co mamy zrobić: ponowić doręczenie, zmienić termin, adres lub telefon, albo anulować.${track.pl}` },
  'order.delivered': { subject: '{{ brand }}: zamówienie {{ customer_order_id }} doręczone', body: `${hi.pl} Twoje zamówienie {{ customer_order_id }} zostało doręczone. Dziękujemy za zakupy w {{ brand }}!` },
  'order.cancelled': { subject: '{{ brand }}: zamówienie {{ customer_order_id }} anulowane', body: `${hi.pl} Twoje zamówienie {{ customer_order_id }} w {{ brand }} zostało anulowane.${link.pl}` },
  'order.refunded': { subject: '{{ brand }}: zwrot pieniędzy za zamówienie {{ customer_order_id }}', body: `${hi.pl} zwróciliśmy {% if refund_amount %}{{ refund_amount }}{% else %}płatność{% endif %} za zamówienie {{ customer_order_id }}. Środki mogą pojawić się w ciągu kilku dni.` },
  'return.created': { subject: '{{ brand }}: zwrot zamówienia {{ customer_order_id }} przyjęty', body: `${hi.pl} zarejestrowaliśmy zwrot zamówienia {{ customer_order_id }}. Damy znać, gdy do nas dotrze.` },
  'return.restocked': { subject: '{{ brand }}: otrzymaliśmy zwrot zamówienia {{ customer_order_id }}', body: `${hi.pl} zwrot zamówienia {{ customer_order_id }} dotarł do nas i został sprawdzony.{% if refund_amount %} Kwota zwrotu: {{ refund_amount }}.{% endif %}` },
  'shipment.updated': { subject: '{{ brand }}: zmiana statusu zamówienia {{ customer_order_id }}', body: `${hi.pl} mamy nowe informacje o dostawie zamówienia {{ customer_order_id }}{% if shipment_status %}: {{ shipment_status }}{% endif %}.${track.pl}` },
  'points.earned': { subject: '{{ brand }}: otrzymujesz {{ points }} pkt', body: `${hi.pl} otrzymujesz {{ points }} pkt w {{ brand }}.{% if points_balance %} Saldo: {{ points_balance }} pkt.{% endif %}` },
  'points.spent': { subject: '{{ brand }}: wykorzystano {{ points }} pkt', body: `${hi.pl} wykorzystano {{ points }} pkt w {{ brand }}.{% if points_balance %} Saldo: {{ points_balance }} pkt.{% endif %}` },
  'credits.earned': { subject: '{{ brand }}: otrzymujesz środki na zakupy', body: `${hi.pl} otrzymujesz {{ credit_amount }} środków na zakupy w {{ brand }}.` },
  'credits.spent': { subject: '{{ brand }}: wykorzystano środki na zakupy', body: `${hi.pl} wykorzystano {{ credit_amount }} środków na zakupy w {{ brand }}.` },
  'coupon.issued': { subject: '{{ brand }}: kupon dla Ciebie', body: `${hi.pl} oto Twój kupon od {{ brand }}: {{ coupon_code }}{% if coupon_value %} ({{ coupon_value }}){% endif %}.` },
  'account.linked': { subject: '{{ brand }}: konto połączone', body: `${hi.pl} Twoje konto w {{ brand }} jest teraz połączone z tym czatem. Tu będziesz otrzymywać informacje o zamówieniach.` },
};

const catalogues: Record<TemplateLocale, Catalogue> = { en, 'zh-Hant': zhHant, pl };

export function builtinText(type: EventType, locale: TemplateLocale): BuiltinText {
  return catalogues[locale][type];
}

/** "zh-TW", "zh_Hant", "PL", "en_US"... → a locale we have texts in, or null. */
export function matchLocale(input: string): TemplateLocale | null {
  const v = input.trim().replace('_', '-').toLowerCase();
  if (v === 'en' || v.startsWith('en-')) return 'en';
  if (v === 'pl' || v.startsWith('pl-')) return 'pl';
  if (v === 'zh-hant' || v === 'zh-tw' || v === 'zh-hk' || v === 'zh-mo' || v.startsWith('zh-hant-')) return 'zh-Hant';
  return null;
}
