package dev.kval.triage.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** /api/quarantine in a running Quarkus app: token-protected mutations, 400 naming the field, the round trip. */
@QuarkusTest
class QuarantineApiTest {
    static final String TOKEN = "Bearer test-token";

    @Test
    void mutationsNeedTheToken() {
        given().contentType(ContentType.JSON).body("{\"test\":\"api.C17.*\",\"budget\":0.3,\"reason\":\"x\"}").post("/api/quarantine")
                .then().statusCode(401).body("error", containsString("Authorization: Bearer"));
        given().header("Authorization", "Bearer wrong").delete("/api/quarantine/1").then().statusCode(401);
    }

    @Test
    void badEntriesAre400NamingTheField() {
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body("{\"test\":\"api.C17.*\",\"budget\":1.5,\"reason\":\"x\"}")
                .post("/api/quarantine").then().statusCode(400).body("field", equalTo("budget"));
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body("{\"budget\":0.1,\"reason\":\"x\"}")
                .post("/api/quarantine").then().statusCode(400).body("field", equalTo("test"));
        given().header("Authorization", TOKEN).contentType(ContentType.JSON)
                .body("{\"test\":\"a\",\"budget\":0.1,\"reason\":\"x\",\"expiresAt\":\"tomorrow\"}")
                .post("/api/quarantine").then().statusCode(400).body("field", equalTo("expiresAt"));
        given().header("Authorization", TOKEN).delete("/api/quarantine/abc").then().statusCode(400).body("field", equalTo("id"));
    }

    @Test
    void addListRemove() {
        int id = given().header("Authorization", TOKEN).contentType(ContentType.JSON)
                .body("{\"test\":\"api.C17.interleave_*\",\"hostClass\":\"qemu\",\"budget\":0.25,\"reason\":\"start node varies\",\"createdBy\":\"test\"}")
                .post("/api/quarantine").then().statusCode(201).body("budget", equalTo(0.25f)).body("kernel", equalTo("*"))
                .extract().path("id");
        given().get("/api/quarantine").then().statusCode(200).body("id", hasItem(id));
        given().get("/triage").then().statusCode(200).body(containsString("api.C17.interleave_*"));
        given().header("Authorization", TOKEN).delete("/api/quarantine/" + id).then().statusCode(200);
        given().header("Authorization", TOKEN).delete("/api/quarantine/" + id).then().statusCode(404).body("field", equalTo("id"));
        given().get("/api/quarantine").then().body("id", not(hasItem(id)));
    }
}
