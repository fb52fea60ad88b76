Feature: deleting a whole data set
  Stagecraft drops a data set's records with the admin token (spec 1.2 DELETE /data-sets).

  Scenario: deleting a data-set
    Given a data set "some-dataset" in group "data-group" of type "data-type"
    When I POST the body "{"_timestamp": "2014-09-10T12:00:00Z", "foo": "bar"}" to "/data/data-group/data-type" with the data set's token
    Then the response status is 200
    And the data set "some-dataset" holds 1 record
    When I DELETE the data set "some-dataset" with the admin token
    Then the response status is 200
    And the response message is "Deleted some-dataset"
    And the data set "some-dataset" holds 0 records
    And the data set "some-dataset" does not exist

  Scenario: cannot delete a non-existent data-set
    When I DELETE the data set "some-dataset" with the admin token
    Then the response status is 404
    And the response message is "No collection exists with name "some-dataset""
