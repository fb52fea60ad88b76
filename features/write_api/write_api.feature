Feature: the write API
  Collectors post JSON records with their data set's bearer token (spec 1.2, 3).

  Scenario: hitting the health check url
    When I GET "/_status" on the write app
    Then the response status is 200
    And the response body is {"status": "ok", "message": "app is up"}

  Scenario: posting to the health check URL
    When I POST "/_status" on the write app
    Then the response status is 405

  Scenario: posting to a reserved data_set name
    When I POST "/_data_set" on the write app
    Then the response status is 404

  Scenario: posting one object
    Given a data set "dinosaur_droppings" in group "dinosaur" of type "droppings"
    When I POST "dinosaur.json" to "/data/dinosaur/droppings" with the data set's token
    Then the response status is 200
    And the response body is {"status": "ok"}
    And the response header "Cache-Control" is "no-cache"
    And the data set "dinosaur_droppings" holds 1 record
    And the data set "dinosaur_droppings" holds 1 record with "name" "t-rex"

  Scenario: posting a list of objects
    Given a data set "dinosaur_droppings" in group "dinosaur" of type "droppings"
    When I POST "dinosaurs.json" to "/data/dinosaur/droppings" with the data set's token
    Then the response status is 200
    And the data set "dinosaur_droppings" holds 2 records with "size" "big"
    And the data set "dinosaur_droppings" holds 1 record with "name" "microraptor"

  Scenario: posting a list of time chunks
    Given a data set "time_chunk_data" in group "time_chunk" of type "data"
    When I POST "time_chunks.json" to "/data/time_chunk/data" with the data set's token
    Then the response status is 200
    And the data set "time_chunk_data" holds 1 record in the day starting "2013-12-09"
    And the data set "time_chunk_data" holds 1 record in the day starting "2013-12-16"
    And every record of "time_chunk_data" has its "_start_at" as a UTC date
    And every record of "time_chunk_data" has its "_end_at" as a UTC date

  Scenario: tagging data with week start at
    Given a data set "data_times" in group "data" of type "times"
    When I POST "timestamps.json" to "/data/data/times" with the data set's token
    Then the response status is 200
    And the data set "data_times" holds 3 records in the week starting "2013-03-11"
    And the data set "data_times" holds 2 records in the week starting "2013-03-18"

  Scenario: posting with data group and data type
    Given a data set "transaction_timings" in group "transaction" of type "timings"
    When I POST "timestamps.json" to "/data/transaction/timings" with the data set's token
    Then the response status is 200
    And the data set "transaction_timings" holds 3 records in the week starting "2013-03-11"
    And the data set "transaction_timings" holds 2 records in the week starting "2013-03-18"

  Scenario: posting invalid JSON
    Given a data set "some_data_set" in group "group" of type "type"
    When I POST the body "{borked!}" to "/data/group/type" with the data set's token
    Then the response status is 400
    And the response message starts with "Error parsing JSON: "
    And the data set "some_data_set" does not exist

  Scenario: posting an empty payload
    Given a data set "some_data_set" in group "group" of type "type"
    When I POST an empty body to "/data/group/type" with the data set's token
    Then the response status is 400
    And the response message is "Expected JSON request body but received zero bytes."

  Scenario: posting invalid records stores none of them
    Given a data set "some_data_set" in group "group" of type "type"
    When I POST the body "[{"_timestamp": "2014-01-01T00:00:00Z"}, {"_timestamp": "2014-01-01T00:00:00Z", "foo-bar": 1}]" to "/data/group/type" with the data set's token
    Then the response status is 400
    And the response body is {"messages": ["foo-bar is not a valid key"]}
    And the data set "some_data_set" holds 0 records

  Scenario: posting large compressed JSON
    Given a data set "large_data" in group "large" of type "data"
      """
      {"capped_size": null}
      """
    When I POST "large.json" gzipped to "/data/large/data" with the data set's token
    Then the response status is 200
    And the data set "large_data" holds 400 records

  Scenario: posting gzip-bomb
    Given a data set "some_data_set" in group "group" of type "type"
    When I POST the gzip file "gzip-bomb.gz" as it is to "/data/group/type" with the data set's token
    Then the response status is 413
    And the data set "some_data_set" does not exist
