import Common
import Foundation
import Testing

@testable import NotificationService

/// Templates are files beside the service; every one loads and fills what its channel needs.
@Suite struct NotificationTemplateTests {
    @Test(arguments: [
        "order-confirmed.email", "order-delivered.email", "seller-order-assigned.email", "order-not-fulfilled.email",
        "seller-order-cancelled.email",
    ])
    func emailTemplatesHaveASubjectTextAndHTML(name: String) throws {
        let rendered = try Template.load(name).render(["orderName": "#1001", "customerName": "Asha", "vendorName": "Acme"])
        #expect(rendered["subject"]?.isEmpty == false)
        #expect(rendered["text"]?.isEmpty == false)
        #expect(rendered["html"]?.contains("<p>") == true)
        #expect(!(rendered.values.contains { $0.contains("{{") }), "every placeholder filled")
    }

    @Test(arguments: ["seller-order-assigned.push", "delivery-status.push", "seller-order-cancelled.push"])
    func pushTemplatesHaveATitleAndBody(name: String) throws {
        let rendered = try Template.load(name).render(["splitOrderId": "42-1", "statusText": "out for delivery"])
        #expect(rendered["title"]?.contains("42-1") == true)
        #expect(rendered["body"]?.isEmpty == false)
    }

    @Test func aCachedTemplateIsTheFileAndAMissingOneStaysAnError() throws {
        #expect(try Template.cached("order-confirmed.email") == Template.load("order-confirmed.email"))
        #expect(try Template.cached("order-confirmed.email") == Template.load("order-confirmed.email"))
        #expect(throws: Template.Missing.self) { try Template.cached("no-such-template.email") }
        #expect(throws: Template.Missing.self) { try Template.cached("no-such-template.email") }
    }

    @Test func valuesAreFilledAndEscapedInHTMLOnly() {
        let template = Template(
            name: "t",
            text: """
                subject: Order {{ orderName }} for {{name}}
                --- text
                Hi {{name}}, {{missing}}done.
                --- html
                <p>Hi {{name}}</p>
                """
        )
        let rendered = template.render(["orderName": "#7", "name": "Tom & <Jerry>"])
        #expect(rendered["subject"] == "Order #7 for Tom & <Jerry>")
        #expect(rendered["text"] == "Hi Tom & <Jerry>, done.")
        #expect(rendered["html"] == "<p>Hi Tom &amp; &lt;Jerry&gt;</p>")
    }

    @Test func theEmailIsWellFormedAndCannotGainHeaders() {
        let message = EmailMessage(
            from: "shop@example.com",
            to: "a@example.com\r\nBcc: evil@example.com",
            subject: "Ihre Bestellung ✓",
            text: "Hallo",
            html: "<p>Hallo</p>"
        ).rfc5322()
        let text = String(decoding: message, as: UTF8.self)
        #expect(!text.contains("\r\nBcc:"))
        #expect(text.contains("Subject: =?UTF-8?B?\(Data("Ihre Bestellung ✓".utf8).base64EncodedString())?="))
        #expect(text.contains("multipart/alternative"))
        #expect(text.contains(Data("Hallo".utf8).base64EncodedString()))
    }

    @Test func theNotificationsOfAnAllocatedOrder() throws {
        let order = try OrderAllocated.decode(from: Data(NotificationHarness.allocated(order: "9", vendor: "V1", vendorEmail: "v1@example.com").utf8))
        let jobs = try NotificationPlanner().allocated(order, vendorDevices: ["V1": ["tok-a", "tok-b"], "V2": ["tok-c"]])
        #expect(jobs.map(\.channel) == [.email, .push, .push])
        #expect(jobs.map(\.recipient) == ["v1@example.com", "tok-a", "tok-b"])
        #expect(Set(jobs.map(\.eventId)) == ["order.allocated:9-1"])
        #expect(jobs[0].message["subject"] == "New order 9-1 for Vendor V1")
        #expect(jobs[0].message["text"]?.contains("2 × SKU-1 (Thing)") == true)
        #expect(jobs[1].message["data.splitOrderId"] == "9-1")
    }

    @Test func theCustomerOfAnOrderThatCannotBeFulfilledIsTold() throws {
        let body =
            ##"{"orderId": "7", "shopifyOrderId": "1007", "shopDomain": "s.myshopify.com", "name": "#1007", "customerEmail": "asha@example.com", "reason": "no stock"}"##
        let jobs = try NotificationPlanner().unfulfillable(try OrderAllocationFailed.decode(from: Data(body.utf8)))
        #expect(jobs.map(\.recipient) == ["asha@example.com"])
        #expect(jobs.map(\.eventId) == ["order.allocation_failed:7"])
        #expect(jobs.first?.message["subject"] == "We could not fulfil your order #1007")
        let anonymous = #"{"orderId": "8", "shopifyOrderId": "1008", "shopDomain": "s", "reason": "no stock"}"#
        #expect(try NotificationPlanner().unfulfillable(try OrderAllocationFailed.decode(from: Data(anonymous.utf8))).isEmpty)
    }

    @Test func aBlankAddressGetsNoEmail() throws {
        for email in ["", "   ", "not-an-address"] {
            let body = #"{"orderId": "9", "shopifyOrderId": "1009", "shopDomain": "s", "customerEmail": "\#(email)", "reason": "x"}"#
            #expect(try NotificationPlanner().unfulfillable(try OrderAllocationFailed.decode(from: Data(body.utf8))).isEmpty, "\(email)")
        }
        #expect(EmailAddress.normalized(" asha@example.com ") == "asha@example.com")
        // A vendor without an address still gets its push messages.
        let order = try OrderAllocated.decode(from: Data(NotificationHarness.allocated(order: "10", vendor: "V1", vendorEmail: "").utf8))
        #expect(try NotificationPlanner().allocated(order, vendorDevices: ["V1": ["tok-a"]]).map(\.channel) == [.push])
    }

    @Test func theVendorOfACancelledSellerOrderIsToldByEmailAndOnEachDevice() throws {
        let body =
            ##"{"splitOrderId": "9-2", "orderId": "9", "shopifyOrderId": "1009", "shopDomain": "s", "name": "#1009", "vendorId": "V2", "vendorName": "Vendor V2", "vendorEmail": "v2@example.com", "hubId": null}"##
        let cancelled = try SellerOrderCancelled.decode(from: Data(body.utf8))
        let jobs = try NotificationPlanner().sellerOrderCancelled(cancelled, vendorDevices: ["V2": ["tok-x"], "V1": ["tok-y"]])
        #expect(jobs.map(\.channel) == [.email, .push])
        #expect(jobs.map(\.recipient) == ["v2@example.com", "tok-x"])
        #expect(Set(jobs.map(\.eventId)) == ["seller_order.cancelled:9-2"])
        #expect(jobs[0].message["subject"] == "Order 9-2 cancelled: do not ship")
        #expect(jobs[0].message["text"]?.contains("#1009") == true)
        #expect(jobs[1].message["data.splitOrderId"] == "9-2")
    }

    @Test func theVendorIsToldOfEachChangeOfTheAmountToCollect() throws {
        let body =
            ##"{"splitOrderId": "9-1", "orderId": "9", "shopifyOrderId": "1009", "shopDomain": "s", "name": "#1009", "currency": "INR", "vendorId": "V1", "vendorName": "Vendor V1", "vendorEmail": "v1@example.com", "previousCollectAmount": "194.00", "collectAmount": "0.00", "version": 2}"##
        let changed = try SellerOrderCollectionChanged.decode(from: Data(body.utf8))
        let jobs = try NotificationPlanner().collectionChanged(changed, vendorDevices: ["V1": ["tok-a", "tok-b"]])
        #expect(jobs.map(\.channel) == [.email, .push, .push])
        #expect(jobs.map(\.recipient) == ["v1@example.com", "tok-a", "tok-b"])
        #expect(Set(jobs.map(\.eventId)) == ["seller_order.collection_changed:9-1:2"], "one notification per change")
        #expect(jobs[0].message["subject"] == "Order 9-1: collect 0.00 INR on delivery")
        #expect(jobs[0].message["text"]?.contains("from 194.00 to 0.00 INR") == true)
        #expect(jobs[0].message["text"]?.contains("#1009") == true)
        #expect(!(jobs.flatMap(\.message.values).contains { $0.contains("{{") }), "every placeholder filled")
        #expect(jobs[1].message["data.collectAmount"] == "0.00")
    }
}

extension NotificationTemplateTests {
    @Test func theVendorOfASellerOrderAnEditChangedIsToldWhatToShipNow() throws {
        let body =
            ##"{"splitOrderId": "9-1", "orderId": "9", "shopifyOrderId": "1009", "shopDomain": "s", "name": "#1009", "vendorId": "V1", "vendorName": "Vendor V1", "vendorEmail": "v1@example.com", "itemsAmount": "20.00", "revision": "2023-06-07T10:00:00Z", "items": [{"lineItemId": "1", "sku": "SKU-A", "title": "Lamp", "quantity": 2}]}"##
        let changed = try SellerOrderChanged.decode(from: Data(body.utf8))
        let jobs = try NotificationPlanner().sellerOrderChanged(changed, vendorDevices: ["V1": ["tok-a"]])
        #expect(jobs.map(\.channel) == [.email, .push])
        #expect(Set(jobs.map(\.eventId)) == ["seller_order.changed:9-1:2023-06-07T10:00:00Z"], "one notification per edit")
        #expect(jobs[0].message["subject"] == "Order 9-1 changed: ship only what is listed")
        #expect(jobs[0].message["text"]?.contains("2 × SKU-A (Lamp)") == true)
        #expect(!(jobs.flatMap(\.message.values).contains { $0.contains("{{") }), "every placeholder filled")
        #expect(jobs[1].message["data.status"] == "changed")
    }
}
