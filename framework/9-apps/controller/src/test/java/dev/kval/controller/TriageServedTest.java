package dev.kval.controller;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** The controller serves the triage module's pages and quarantine API (kval-triage-web on its class path), behind its token. */
@QuarkusTest
class TriageServedTest {
    @Test
    void dashboardAndQuarantineAreServedWithTheControllersToken() {
        given().get("/triage").then().statusCode(200).body(containsString("Kernel x suite"));
        given().get("/api/triage/matrix").then().statusCode(200);
        String body = "{\"test\":\"api.C17.*\",\"budget\":0.2,\"reason\":\"NUMA start node varies\"}";
        given().contentType(ContentType.JSON).body(body).post("/api/quarantine").then().statusCode(401);
        int id = given().header("Authorization", "Bearer test-token").contentType(ContentType.JSON).body(body).post("/api/quarantine")
                .then().statusCode(201).body("test", equalTo("api.C17.*")).extract().path("id");
        given().header("Authorization", "Bearer test-token").delete("/api/quarantine/" + id).then().statusCode(200);
    }
}
