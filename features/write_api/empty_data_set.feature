Feature: emptying a data set
  PUT of an empty JSON list removes every record and keeps the data set (spec 1.2, 9.2).

  Scenario: emptying a data set with PUT []
    Given a data set "some_data_set" in group "group" of type "type"
      """
      {"capped_size": 0}
      """
    When I POST "dinosaur.json" to "/data/group/type" with the data set's token
    Then the response status is 200
    And the data set "some_data_set" holds 1 record
    When I PUT the body "[]" to "/data/group/type" with the data set's token
    Then the response status is 200
    And the response message is "some_data_set now contains 0 records"
    And the response header "Cache-Control" is "no-cache"
    And the data set "some_data_set" exists
    And the data set "some_data_set" holds 0 records

  Scenario: PUT with anything but an empty list
    Given a data set "some_data_set" in group "group" of type "type"
      """
      {"capped_size": 0}
      """
    When I PUT the body "[{"a": 1}]" to "/data/group/type" with the data set's token
    Then the response status is 400
    And the response message is "Not implemented: you can only pass an empty JSON list"
