Feature: access control
  Every write needs the data set's own bearer token (spec 1.2 step 2).

  Scenario: incorrect token
    Given a data set "some_data_set" in group "group" of type "type"
    When I POST the body "[]" to "/data/group/type" with the header "Authorization" set to "Bearer invalid-bearer-token"
    Then the response status is 401
    And the response header "WWW-Authenticate" is "bearer"
    And the response message is "Unauthorized: Invalid bearer token 'invalid-bearer-token' for 'some_data_set'"

  Scenario: badly formed authorization header
    Given a data set "some_data_set" in group "group" of type "type"
    When I POST the body "[]" to "/data/group/type" with the header "Orthoriszation" set to "Bearer some_data_set-bearer-token"
    Then the response status is 401
    And the response header "WWW-Authenticate" is "bearer"
    And the response message is "Expected header of form: Authorization: Bearer <token>"
